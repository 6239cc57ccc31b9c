package source

// tableFormats are the manual pentest sheet, as CSV or XLSX (one format:
// Parse tells them apart by the zip signature).
var tableFormats = []Format{manualFormat}
