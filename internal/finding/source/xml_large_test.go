package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// generated is a file of n records made on the fly, so that neither the
// test nor the parser ever holds it whole.
type generated struct {
	head, tail string
	item       func(i int) string
	n, i       int
	buf        strings.Reader
	done       bool
}

func (g *generated) Read(p []byte) (int, error) {
	for g.buf.Len() == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.head != "":
			g.buf.Reset(g.head)
			g.head = ""
		case g.i < g.n:
			g.buf.Reset(g.item(g.i))
			g.i++
		default:
			g.buf.Reset(g.tail)
			g.done = true
		}
	}
	return g.buf.Read(p)
}

// largeFile returns a file of n findings in the format.
func largeFile(format string, n int) io.Reader {
	switch format {
	case "nmap":
		// A host per 20 ports.
		return &generated{head: `<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun scanner="nmap">`, tail: `</ports></host></nmaprun>`, n: n,
			item: func(i int) string {
				s := ""
				if i%20 == 0 {
					if i > 0 {
						s = "</ports></host>"
					}
					s += fmt.Sprintf(`<host><status state="up"/><address addr="10.%d.%d.%d" addrtype="ipv4"/><hostnames><hostname name="h%d.example.vn"/></hostnames><ports>`, i>>16&255, i>>8&255, i&255, i)
				}
				return s + fmt.Sprintf(`<port protocol="tcp" portid="%d"><state state="open"/><service name="http" product="nginx" version="1.18.0"/><script id="vulners" output="&#xa;CVE-2021-23017&#x9;7.7&#x9;https://vulners.com/cve/CVE-2021-23017"/></port>`, 1000+i%20)
			}}
	case "openvas":
		return &generated{head: `<report id="r" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5"><report id="r"><gmp><version>22.5</version></gmp><results>`, tail: `</results></report></report>`, n: n,
			item: func(i int) string {
				return fmt.Sprintf(`<result id="r%d"><name>Weak cipher</name><host>10.0.%d.%d<hostname>h%d.example.vn</hostname></host><port>443/tcp</port><nvt oid="1.3.6.1.4.1.25623.1.0.%d"><name>SSL/TLS: Weak cipher %d</name><tags>summary=Weak ciphers.|insight=3DES.|solution=Disable them.</tags><refs><ref type="cve" id="CVE-2016-2183"/></refs><severities><severity type="cvss_base_v3"><value>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N</value></severity></severities></nvt><threat>High</threat><severity>7.5</severity><qod><value>98</value></qod><description>TLS_RSA_WITH_3DES_EDE_CBC_SHA</description></result>`, i, i>>8&255, i&255, i, i, i)
			}}
	case "zap-xml":
		return &generated{head: `<OWASPZAPReport version="2.14.0"><site name="https://www.example.vn" host="www.example.vn" port="443" ssl="true"><alerts>`, tail: `</alerts></site></OWASPZAPReport>`, n: n,
			item: func(i int) string {
				return fmt.Sprintf(`<alertitem><pluginid>%d</pluginid><alert>Alert %d</alert><riskcode>%d</riskcode><desc>&lt;p&gt;Something is wrong.&lt;/p&gt;</desc><instances><instance><uri>https://www.example.vn/p%d</uri><method>GET</method><param>q</param><evidence>x</evidence></instance></instances><solution>&lt;p&gt;Fix it.&lt;/p&gt;</solution><reference>&lt;p&gt;https://owasp.org/&lt;/p&gt;</reference><cweid>79</cweid><wascid>8</wascid></alertitem>`, 10000+i, i, i%4, i)
			}}
	case "nessus":
		// A host per 50 items.
		return &generated{head: `<?xml version="1.0" ?><NessusClientData_v2><Report name="big">`, tail: `</ReportHost></Report></NessusClientData_v2>`, n: n,
			item: func(i int) string {
				s := ""
				if i%50 == 0 {
					if i > 0 {
						s = "</ReportHost>"
					}
					s += fmt.Sprintf(`<ReportHost name="10.0.%d.%d"><HostProperties><tag name="host-ip">10.0.%d.%d</tag><tag name="HOST_END_TIMESTAMP">1709634000</tag></HostProperties>`, i>>8&255, i&255, i>>8&255, i&255)
				}
				return s + fmt.Sprintf(`<ReportItem port="443" svc_name="www" protocol="tcp" severity="%d" pluginID="%d" pluginName="Plugin %d"><cvss3_base_score>7.5</cvss3_base_score><cvss3_vector>AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N</cvss3_vector><cve>CVE-2016-2183</cve><description>The remote host supports medium strength ciphers.</description><see_also>https://sweet32.info</see_also><solution>Reconfigure.</solution><synopsis>Medium strength ciphers.</synopsis><plugin_output>DES-CBC3-SHA 0x00, 0x0A RSA RSA 3DES-CBC(168) SHA1</plugin_output></ReportItem>`, i%5, 40000+i, i)
			}}
	case "burp":
		return &generated{head: `<?xml version="1.0"?><!DOCTYPE issues [<!ELEMENT issues (issue*)>]><issues burpVersion="2023.10.3.4">`, tail: `</issues>`, n: n,
			item: func(i int) string {
				return fmt.Sprintf(`<issue><serialNumber>%d</serialNumber><type>2097920</type><name>Cross-site scripting (reflected)</name><host ip="192.0.2.10">https://www.example.vn</host><path><![CDATA[/p%d]]></path><location><![CDATA[/p%d [q parameter]]]></location><severity>High</severity><confidence>Certain</confidence><issueBackground><![CDATA[<p>Reflected XSS.</p>]]></issueBackground><vulnerabilityClassifications><![CDATA[<a href="https://cwe.mitre.org/data/definitions/79.html">CWE-79</a>]]></vulnerabilityClassifications><requestresponse><request base64="true"><![CDATA[R0VUIC8gSFRUUC8xLjENCkhvc3Q6IHd3dy5leGFtcGxlLnZuDQoNCg==]]></request></requestresponse></issue>`, i, i, i)
			}}
	}
	panic("no generator for " + format)
}

// perRecord is how many findings a generated record gives: Nmap's ports
// carry an open port and a vulners script each.
func perRecord(format string) int {
	if format == "nmap" {
		return 2
	}
	return 1
}

var xmlFormatNames = []string{"nmap", "openvas", "zap-xml", "nessus", "burp"}

// parseLarge parses n generated findings and returns how many came out and
// the most heap in use seen while parsing (sampled every 1000 findings).
func parseLarge(t testing.TB, format string, n int) (count int, peak uint64) {
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	err = f.Parse(context.Background(), largeFile(format, n), Handler{
		Finding: func(Observation) error {
			if count++; count%1000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return nil
		},
		Reached: func(Host) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return count, peak
}

// TestParseXMLLargeFiles parses generated files of 20 000 findings (10 to
// 20 MB each) and checks that the heap stays small: the parsers stream.
func TestParseXMLLargeFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("large files")
	}
	const n = 20_000
	for _, format := range xmlFormatNames {
		t.Run(format, func(t *testing.T) {
			runtime.GC()
			count, peak := parseLarge(t, format, n)
			if want := n * perRecord(format); count != want {
				t.Errorf("%d findings, want %d", count, want)
			}
			if peak > 64<<20 {
				t.Errorf("heap in use reached %d MiB while parsing", peak>>20)
			}
		})
	}
}

// BenchmarkParseXML parses generated files of 5 000 and 50 000 findings in
// each format: peak-heap-MiB stays the same while the file grows tenfold.
func BenchmarkParseXML(b *testing.B) {
	for _, format := range xmlFormatNames {
		for _, n := range []int{5_000, 50_000} {
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				b.ReportAllocs()
				var peak uint64
				for b.Loop() {
					_, p := parseLarge(b, format, n)
					peak = max(peak, p)
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(n*perRecord(format)), "findings/op")
			})
		}
	}
}

// fuzzXML runs one parser on arbitrary input seeded with its samples: it
// may fail, never panic, and what it delivers keeps the invariants.
func fuzzXML(f *testing.F, format string) {
	prefix := map[string]string{"zap-xml": "zap"}[format]
	if prefix == "" {
		prefix = format
	}
	files, err := filepath.Glob(filepath.Join("testdata", prefix+"-*.xml"))
	if err != nil || len(files) == 0 {
		f.Fatal("no seeds", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	p, err := Lookup(format)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = p.Parse(context.Background(), strings.NewReader(string(data)), Handler{
			Finding: func(o Observation) error { checkInvariants(t, o); return nil },
			Reached: func(h Host) error {
				if h.Host != strings.ToLower(h.Host) {
					t.Errorf("reached host %q not lower-case", h.Host)
				}
				return nil
			},
		})
	})
}

func FuzzParseNmap(f *testing.F)    { fuzzXML(f, "nmap") }
func FuzzParseOpenVAS(f *testing.F) { fuzzXML(f, "openvas") }
func FuzzParseZAPXML(f *testing.F)  { fuzzXML(f, "zap-xml") }
func FuzzParseNessus(f *testing.F)  { fuzzXML(f, "nessus") }
func FuzzParseBurp(f *testing.F)    { fuzzXML(f, "burp") }
