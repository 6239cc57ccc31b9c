package fingerprint

import (
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/vulndb"
)

// eol lists release branches and the day their vendor stopped security
// fixes. A branch matches a version equal to it or starting with it and a
// dot ("7" matches 7.4.33). below, when set, matches versions lower than it
// instead (SharePoint builds).
var eol = []struct {
	product, branch, below, date string
}{
	{product: "php", branch: "5", date: "2018-12-31"},
	{product: "php", branch: "7", date: "2022-11-28"},
	{product: "php", branch: "8.0", date: "2023-11-26"},
	{product: "php", branch: "8.1", date: "2025-12-31"},
	{product: "php", branch: "8.2", date: "2026-12-31"},
	{product: "apache", branch: "2.0", date: "2013-07-10"},
	{product: "apache", branch: "2.2", date: "2017-12-31"},
	{product: "iis", branch: "6.0", date: "2015-07-14"},
	{product: "iis", branch: "7.0", date: "2020-01-14"},
	{product: "iis", branch: "7.5", date: "2020-01-14"},
	{product: "iis", branch: "8.0", date: "2023-10-10"},
	{product: "iis", branch: "8.5", date: "2023-10-10"},
	{product: "openssl", branch: "1.0", date: "2019-12-31"},
	{product: "openssl", branch: "1.1.0", date: "2019-09-11"},
	{product: "openssl", branch: "1.1.1", date: "2023-09-11"},
	{product: "openssl", branch: "3.0", date: "2026-09-07"},
	{product: "openssl", branch: "3.1", date: "2025-03-14"},
	{product: "openssl", branch: "3.2", date: "2025-11-23"},
	{product: "openssl", branch: "3.3", date: "2026-04-09"},
	{product: "jquery", branch: "1", date: "2016-06-09"},
	{product: "jquery", branch: "2", date: "2016-06-09"},
	{product: "angularjs", branch: "1", date: "2021-12-31"},
	{product: "bootstrap", branch: "2", date: "2013-08-19"},
	{product: "bootstrap", branch: "3", date: "2019-07-24"},
	{product: "bootstrap", branch: "4", date: "2023-01-01"},
	{product: "drupal", branch: "6", date: "2016-02-24"},
	{product: "drupal", branch: "7", date: "2025-01-05"},
	{product: "drupal", branch: "8", date: "2021-11-02"},
	{product: "drupal", branch: "9", date: "2023-11-01"},
	{product: "joomla", branch: "1", date: "2012-12-31"},
	{product: "joomla", branch: "2", date: "2014-12-31"},
	{product: "joomla", branch: "3", date: "2023-08-17"},
	{product: "joomla", branch: "4", date: "2025-10-17"},
	{product: "sharepoint", branch: "14", date: "2021-04-13"},
	{product: "sharepoint", branch: "15", date: "2023-04-11"},
	// SharePoint 2016 and 2019 share major 16; Subscription Edition builds start at 16.0.14326.
	{product: "sharepoint", below: "16.0.14326", date: "2026-07-14"},
	{product: "magento", branch: "1", date: "2020-06-30"},
	{product: "magento", branch: "2.3", date: "2022-09-08"},
	{product: "mysql", branch: "5", date: "2023-10-31"},
	{product: "mysql", branch: "8.0", date: "2026-04-30"},
}

// EndOfLife reports product/version when its branch no longer receives
// security fixes on the scan date. Services and web components both use it.
func EndOfLife(env *check.Env, a check.Asset, product, version string) {
	if version == "" || !env.Enabled("tech.end-of-life") {
		return
	}
	v := vulndb.Upstream(version)
	for _, e := range eol {
		if e.product != product {
			continue
		}
		match := e.branch != "" && (v == e.branch || strings.HasPrefix(v, e.branch+"."))
		if e.below != "" {
			match = strings.HasPrefix(v, "16.") && vulndb.CompareVersions(v, e.below) < 0
		}
		date, err := time.Parse(time.DateOnly, e.date)
		if !match || err != nil || env.Now().Before(date) {
			continue
		}
		name := display[product]
		if name == "" {
			name = product
		}
		env.Found("tech.end-of-life", a, product+"\x00"+version, check.Evidencef("%s %s: security support ended %s", name, version, e.date))
		return
	}
}
