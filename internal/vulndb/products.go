package vulndb

import "strings"

// productCPEs maps the product names the scanner's banner and web
// fingerprints report to the CPE vendor:product keys NVD uses for them
// (several when NVD changed vendor names over time).
var productCPEs = map[string][]string{
	// Services identified on any port by their protocol (internal/scan/service).
	"memcached":   {"memcached:memcached"},
	"rabbitmq":    {"vmware:rabbitmq", "pivotal_software:rabbitmq", "broadcom:rabbitmq"},
	"mosquitto":   {"eclipse:mosquitto"},
	"nats-server": {"linuxfoundation:nats-server", "nats:nats-server"},
	"etcd":        {"etcd:etcd", "redhat:etcd"},
	"kubernetes":  {"kubernetes:kubernetes"},
	"dropbear":    {"dropbear_ssh_project:dropbear_ssh"},

	"apache":        {"apache:http_server"},
	"nginx":         {"f5:nginx", "nginx:nginx"},
	"iis":           {"microsoft:internet_information_services", "microsoft:iis"},
	"php":           {"php:php"},
	"openssl":       {"openssl:openssl"},
	"openssh":       {"openbsd:openssh"},
	"vsftpd":        {"beasts:vsftpd", "vsftpd_project:vsftpd"},
	"proftpd":       {"proftpd:proftpd", "proftpd_project:proftpd"},
	"pure-ftpd":     {"pureftpd:pure-ftpd"},
	"filezilla":     {"filezilla-project:filezilla_server"},
	"exim":          {"exim:exim"},
	"postfix":       {"postfix:postfix"},
	"sendmail":      {"sendmail:sendmail"},
	"dovecot":       {"dovecot:dovecot"},
	"mysql":         {"oracle:mysql", "mysql:mysql"},
	"mariadb":       {"mariadb:mariadb"},
	"mssql":         {"microsoft:sql_server"},
	"redis":         {"redis:redis", "redislabs:redis"},
	"mongodb":       {"mongodb:mongodb"},
	"elasticsearch": {"elastic:elasticsearch", "elasticsearch:elasticsearch"},
	"docker":        {"docker:engine", "docker:docker", "mobyproject:moby"},
	"wordpress":     {"wordpress:wordpress"},
	"joomla":        {"joomla:joomla!"},
	"drupal":        {"drupal:drupal"},
	"dotnetnuke":    {"dnnsoftware:dotnetnuke"},
	"liferay":       {"liferay:liferay_portal"},
	"sharepoint":    {"microsoft:sharepoint_server", "microsoft:sharepoint_enterprise_server"},
	"laravel":       {"laravel:framework", "laravel:laravel"},
	"asp.net":       {"microsoft:asp.net", "microsoft:.net_framework"},
	"jquery":        {"jquery:jquery"},
	"jquery-ui":     {"jqueryui:jquery_ui", "jquery:jquery_ui"},
	"bootstrap":     {"getbootstrap:bootstrap"},
	"angularjs":     {"angularjs:angular.js", "google:angular.js"},
	"moment":        {"momentjs:moment"},
	"lodash":        {"lodash:lodash"},
	"tomcat":        {"apache:tomcat"},
}

// CPEKeys returns the vendor:product keys for a scanner product name, or
// the name itself when it already is a vendor:product key.
func CPEKeys(product string) []string {
	product = strings.ToLower(product)
	if keys, ok := productCPEs[product]; ok {
		return keys
	}
	if strings.Contains(product, ":") {
		return []string{product}
	}
	return nil
}
