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
	"389-ds":      {"port389:389-ds-base"},

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
	// Platforms read from version files and manifests (scan/fingerprint).
	"jenkins":    {"jenkins:jenkins"},
	"grafana":    {"grafana:grafana"},
	"kibana":     {"elastic:kibana", "elasticsearch:kibana"},
	"confluence": {"atlassian:confluence_server", "atlassian:confluence_data_center", "atlassian:confluence"},
	"gitlab":     {"gitlab:gitlab"},
	"phpmyadmin": {"phpmyadmin:phpmyadmin"},
	"webmin":     {"webmin:webmin"},
	// NVD names Exchange and vCenter releases by edition and update
	// ("2016" cumulative_update_23, "7.0" u1c); what they show visitors is a
	// build number (15.1.2507.16) or a vSphere API version (7.0.1.0). The
	// built-in set translates those CVEs into the khien: keys, which an
	// NVD import of the same CVE keeps (see DB.put).
	"exchange": {"microsoft:exchange_server", "khien:exchange_build"},
	"vcenter":  {"vmware:vcenter_server", "khien:vsphere_api"},
	// Edge devices (scan/fingerprint/edge.go). NetScaler builds are
	// 13.1-49.13 in NVD, which the version comparison would cut to 13.1 (a
	// distribution revision): the built-in ranges are written 13.1.49.13
	// under a key of Khiên's own. Connect Secure releases compare as NVD
	// writes them (9.1r11.4). Sophos fixes most CVEs with automatic
	// hotfixes that leave the version unchanged, so only Khiên's ranges,
	// which leave the hotfixed releases out, are used for it.
	"netscaler":       {"khien:netscaler_build"},
	"connect-secure":  {"pulsesecure:pulse_connect_secure", "ivanti:connect_secure", "khien:connect_secure"},
	"sophos-firewall": {"khien:sfos_build"},
	"big-ip":          {"f5:big-ip_local_traffic_manager", "khien:big-ip"},
	"moodle":          {"moodle:moodle"},
	"magento":         {"magento:magento", "adobe:magento", "adobe:commerce", "adobe:magento_open_source"},
	// WordPress plugins, by slug.
	"wp-file-manager": {"webdesi9:file_manager"},
	"duplicator":      {"snapcreek:duplicator"},
	"contact-form-7":  {"rocklobster:contact_form_7"},
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
