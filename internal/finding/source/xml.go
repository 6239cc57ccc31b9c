package source

// xmlFormats are the XML reports: Nmap, OpenVAS/Greenbone, ZAP, Nessus, Burp.
var xmlFormats = []Format{nmapFormat, openvasFormat, zapXMLFormat, nessusFormat, burpFormat}
