package finding

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
	"github.com/xuri/excelize/v2"
)

// ExportFormats are the formats Export writes.
var ExportFormats = []string{"csv", "xlsx", "json", "sarif"}

// ExportContentType is the media type and file extension of an export format.
func ExportContentType(format string) (contentType, ext string) {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8", "csv"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	case "sarif":
		return "application/sarif+json", "sarif"
	}
	return "application/json", "json"
}

// exportPage is how many findings are read at a time: an export streams,
// whatever the size of the list.
const exportPage = storage.MaxLimit

// Export writes every finding in the actor's scope matching f to w as csv
// (UTF-8 with a BOM, so Excel reads Vietnamese, and Vietnamese headers),
// xlsx, json (an array) or sarif (SARIF 2.1.0, one run). The export is
// audited, with its filter and count, before the first byte is written:
// data that left the server is on record even if the download broke off.
func Export(ctx context.Context, db *storage.Store, actor access.Actor, f Filter, format string, w io.Writer) error {
	var out exporter
	switch format {
	case "csv":
		out = &csvExport{}
	case "xlsx":
		out = &xlsxExport{}
	case "json":
		out = &jsonExport{}
	case "sarif":
		out = &sarifExport{rules: map[string]int{}}
	default:
		return validation.Invalid("format", "findings.err.export_format", format, strings.Join(ExportFormats, ", "))
	}
	first, err := List(ctx, db, actor, f, storage.First(1))
	if err != nil {
		return err
	}
	if err := db.InTx(ctx, func(tx *storage.Tx) error {
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.export", ObjectType: "finding",
			New: map[string]any{"format": format, "filter": f, "count": first.Total}})
	}); err != nil {
		return fmt.Errorf("audit the export: %w", err)
	}
	bw := bufio.NewWriter(w)
	if err := out.begin(bw); err != nil {
		return err
	}
	p := storage.First(exportPage)
	for {
		res, err := List(ctx, db, actor, f, p)
		if err != nil {
			return err
		}
		for _, v := range res.Items {
			if err := out.row(v); err != nil {
				return fmt.Errorf("export finding %d: %w", v.ID, err)
			}
		}
		if res.Next == "" {
			break
		}
		if p.After, err = storage.DecodeCursor(res.Next); err != nil {
			return err
		}
	}
	if err := out.end(); err != nil {
		return err
	}
	return bw.Flush()
}

// exporter writes one format.
type exporter interface {
	begin(w io.Writer) error
	row(v View) error
	end() error
}

// exportColumns are the columns of the csv and xlsx exports, with their
// Vietnamese headers.
var exportColumns = []struct {
	header string
	value  func(View) any
}{
	{"Mã", func(v View) any { return v.ID }},
	{"Tiêu đề", func(v View) any { return v.Title }},
	{"Mức độ", func(v View) any { return i18n.T(i18n.VI, "finding.severity."+string(v.Severity)) }},
	{"Trạng thái", func(v View) any { return i18n.T(i18n.VI, "finding.status."+string(v.Status)) }},
	{"Ưu tiên", func(v View) any { return v.Priority }},
	{"Đơn vị", func(v View) any { return v.OrgCode }},
	{"Hệ thống", func(v View) any { return v.SystemName }},
	{"Máy chủ", func(v View) any { return v.Host }},
	{"Địa chỉ IP", func(v View) any { return v.IP }},
	{"Cổng", func(v View) any { return v.Port }},
	{"Giao thức", func(v View) any { return v.Protocol }},
	{"URL", func(v View) any { return v.URL }},
	{"Tham số", func(v View) any { return v.Parameter }},
	{"CVE", func(v View) any { return strings.Join(v.CVEs, ", ") }},
	{"CWE", func(v View) any { return v.CWE }},
	{"CVSS 3.1", func(v View) any { return v.CVSS3 }},
	{"Điểm CVSS 3.1", func(v View) any { return v.CVSS3Score }},
	{"KEV", func(v View) any { return yesNo(v.KEV) }},
	{"EPSS", func(v View) any { return v.EPSS }},
	{"Công cụ", func(v View) any { return v.Tool }},
	{"Quy tắc", func(v View) any { return v.CheckID }},
	{"Hạn xử lý", func(v View) any { return v.DueDate }},
	{"Quá hạn", func(v View) any { return yesNo(v.Overdue) }},
	{"Phát hiện lần đầu", func(v View) any { return v.FirstSeen.In(zone).Format("2006-01-02 15:04") }},
	{"Thấy lần cuối", func(v View) any { return v.LastSeen.In(zone).Format("2006-01-02 15:04") }},
	{"Số lần thấy", func(v View) any { return v.TimesSeen }},
}

func yesNo(b bool) string {
	if b {
		return "Có"
	}
	return "Không"
}

type csvExport struct{ w *csv.Writer }

func (e *csvExport) begin(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	e.w = csv.NewWriter(w)
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c.header
	}
	return e.w.Write(header)
}

func (e *csvExport) row(v View) error {
	rec := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		rec[i] = csvCell(c.value(v))
	}
	return e.w.Write(rec)
}

func (e *csvExport) end() error {
	e.w.Flush()
	return e.w.Error()
}

// csvCell is a value as text; text that a spreadsheet would run as a
// formula (=, +, -, @ first) gets a leading apostrophe.
func csvCell(x any) string {
	switch x := x.(type) {
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// xlsxExport writes with excelize's stream writer, which keeps rows on
// disk rather than in memory until the workbook is written.
type xlsxExport struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int
}

const exportSheet = "Phát hiện"

func (e *xlsxExport) begin(w io.Writer) error {
	e.w, e.f = w, excelize.NewFile()
	if err := e.f.SetSheetName("Sheet1", exportSheet); err != nil {
		return err
	}
	sw, err := e.f.NewStreamWriter(exportSheet)
	if err != nil {
		return err
	}
	e.sw = sw
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c.header
	}
	e.next = 1
	return e.write(header)
}

func (e *xlsxExport) write(cells []any) error {
	cell, err := excelize.CoordinatesToCellName(1, e.next)
	if err != nil {
		return err
	}
	e.next++
	return e.sw.SetRow(cell, cells)
}

func (e *xlsxExport) row(v View) error {
	cells := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		cells[i] = c.value(v)
	}
	return e.write(cells)
}

func (e *xlsxExport) end() error {
	defer e.f.Close()
	if err := e.sw.Flush(); err != nil {
		return err
	}
	return e.f.Write(e.w)
}

// jsonExport writes an array of findings, one element at a time.
type jsonExport struct {
	w     io.Writer
	count int
}

func (e *jsonExport) begin(w io.Writer) error {
	e.w = w
	_, err := io.WriteString(w, "[")
	return err
}

func (e *jsonExport) row(v View) error {
	if e.count > 0 {
		if _, err := io.WriteString(e.w, ",\n"); err != nil {
			return err
		}
	}
	e.count++
	return writeJSON(e.w, v)
}

func (e *jsonExport) end() error {
	_, err := io.WriteString(e.w, "]\n")
	return err
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// sarifExport writes one SARIF 2.1.0 run: the results as they come, then
// the tool with a rule per rule key met (JSON does not order an object's
// members, so the rules may follow the results they index).
type sarifExport struct {
	w     io.Writer
	rules map[string]int
	order []sarifRule
	count int
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

type sarifResult struct {
	RuleID       string            `json:"ruleId"`
	RuleIndex    int               `json:"ruleIndex"`
	Level        string            `json:"level"`
	Message      sarifText         `json:"message"`
	Locations    []sarifLocation   `json:"locations,omitempty"`
	Fingerprints map[string]string `json:"partialFingerprints"`
	Properties   map[string]any    `json:"properties"`
}

func (e *sarifExport) begin(w io.Writer) error {
	e.w = w
	_, err := io.WriteString(w, `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[`)
	return err
}

// sarifLevel maps a severity to SARIF's levels.
func sarifLevel(s Severity) string {
	switch s {
	case Critical, High:
		return "error"
	case Medium:
		return "warning"
	}
	return "note"
}

// where is the place of a finding as a URI: its URL, else its host and port.
func (v View) where() string {
	switch {
	case v.URL != "":
		return v.URL
	case v.Host == "":
		return ""
	case v.Port != 0:
		return "//" + v.Host + ":" + strconv.Itoa(v.Port)
	}
	return "//" + v.Host
}

func (e *sarifExport) row(v View) error {
	idx, ok := e.rules[v.RuleKey]
	if !ok {
		idx = len(e.order)
		e.rules[v.RuleKey] = idx
		rule := sarifRule{ID: v.RuleKey, ShortDescription: sarifText{v.Title}, Properties: map[string]any{"tool": v.Tool, "check_id": v.CheckID}}
		if len(v.References) > 0 {
			rule.HelpURI = v.References[0]
		}
		if v.CWE != "" {
			rule.Properties["cwe"] = v.CWE
		}
		e.order = append(e.order, rule)
	}
	res := sarifResult{RuleID: v.RuleKey, RuleIndex: idx, Level: sarifLevel(v.Severity), Message: sarifText{v.Title},
		Fingerprints: map[string]string{"khien/v1": v.Fingerprint},
		Properties: map[string]any{"id": v.ID, "severity": v.Severity, "status": v.Status, "priority": v.Priority, "system": v.SystemName,
			"org": v.OrgCode, "cves": v.CVEs, "due_date": v.DueDate, "overdue": v.Overdue}}
	if v.CVSS3Score > 0 {
		res.Properties["security-severity"] = strconv.FormatFloat(v.CVSS3Score, 'f', 1, 64)
	}
	if uri := v.where(); uri != "" {
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = uri
		res.Locations = []sarifLocation{loc}
	}
	if e.count > 0 {
		if _, err := io.WriteString(e.w, ","); err != nil {
			return err
		}
	}
	e.count++
	return writeJSON(e.w, res)
}

func (e *sarifExport) end() error {
	if _, err := io.WriteString(e.w, `],"tool":{"driver":{"name":"Khiên","informationUri":"https://github.com/khien/khien","rules":`); err != nil {
		return err
	}
	rules := e.order
	if rules == nil {
		rules = []sarifRule{}
	}
	if err := writeJSON(e.w, rules); err != nil {
		return err
	}
	_, err := io.WriteString(e.w, "}}}]}\n")
	return err
}
