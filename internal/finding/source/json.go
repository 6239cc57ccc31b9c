package source

// jsonFormats are the JSON reports: Khiên's own JSONL, Nuclei, ZAP, SARIF, Trivy.
var jsonFormats = []Format{}
