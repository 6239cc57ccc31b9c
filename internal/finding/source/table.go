package source

// tableFormats are the manual pentest sheet, as CSV or XLSX.
var tableFormats = []Format{}
