package source

// xmlFormats are the XML reports: Nmap, OpenVAS/Greenbone, ZAP, Nessus, Burp.
var xmlFormats = []Format{}
