package source

// jsonFormats are the JSON reports: Khiên's own JSONL, Nuclei, ZAP, SARIF,
// Trivy. Each detects by keys of the first value, which do not overlap.
var jsonFormats = []Format{sarifFormat, zapJSONFormat, trivyFormat, khienFormat, nucleiFormat}
