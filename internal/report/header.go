package report

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// headerReader reads the organisations a header names. The governing body and the city at
// the root are above an agency's scope, but their names are printed on every document the
// agency issues; nothing else of them is read.
var headerReader = access.SystemActor("report-header")

// orgHeader is what the header of a document issued by one organisation names: the
// organisation, its parent, the city or province at the root of the tree, and the settings
// the organisation stored over the defaults drawn from them.
type orgHeader struct {
	issuer, parent, root identity.Org
	stored               settingsRow
}

// readHeader reads the header of documents issued by the organisation orgID.
func readHeader(ctx context.Context, tx *storage.Tx, orgID int64) (orgHeader, error) {
	var h orgHeader
	var err error
	if h.issuer, err = identity.GetOrg(ctx, tx, headerReader, orgID); err != nil {
		return h, err
	}
	if h.issuer.ParentID != 0 {
		if h.parent, err = identity.GetOrg(ctx, tx, headerReader, h.issuer.ParentID); err != nil {
			return h, err
		}
	}
	rootID, err := strconv.ParseInt(strings.Split(strings.Trim(h.issuer.Path, "/"), "/")[0], 10, 64)
	if err != nil {
		return h, fmt.Errorf("organisation %d: path %q: %w", h.issuer.ID, h.issuer.Path, err)
	}
	if h.root, err = identity.GetOrg(ctx, tx, headerReader, rootID); err != nil {
		return h, err
	}
	h.stored, err = readSettings(ctx, tx, orgID)
	return h, err
}

// defaults are the header drawn from the organisation tree, in lang: the issuing body is the
// organisation, its governing body the parent organisation, the place the name of the city
// or province at the root, the number prefix "BC-<code>" (the number itself is written by
// hand), the recipients the governing body (the one the organisation set, if any) and "Lưu:
// VT", the signer the head of the agency, unnamed.
func (h orgHeader) defaults(lang string) Settings {
	s := Settings{Issuer: h.issuer.Name, Parent: governingBody(h.parent), Place: placeName(h.root.Name),
		NumberPrefix: "BC-" + strings.ToUpper(h.issuer.Code), SignerTitle: i18n.T(lang, "report.signer"), Recipients: []string{}}
	if parent := cmp.Or(h.stored.Parent, s.Parent); parent != "" {
		s.Recipients = append(s.Recipients, parent)
	}
	s.Recipients = append(s.Recipients, i18n.T(lang, "report.recipient.archive"))
	return s
}

// effective is what the organisation's documents print in lang: its settings over the
// defaults.
func (h orgHeader) effective(lang string) Settings { return h.stored.Settings.Over(h.defaults(lang)) }

// apply fills the document's header, recipients and signature with the effective settings
// of its issuing organisation.
func (h orgHeader) apply(d *document.Document, lang string) { h.effective(lang).fill(d) }

// councilPrefixes are how a people's committee is already named; a province or city named
// without one is governed by its committee ("Thành phố Cần Thơ" → "UBND thành phố Cần Thơ").
var councilPrefixes = []string{"UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "}

// governingBody is the line above the issuing body: the parent organisation's name, the
// people's committee for the province or city at the root; empty without a parent.
func governingBody(parent identity.Org) string {
	name := strings.TrimSpace(parent.Name)
	if parent.ID == 0 || name == "" {
		return ""
	}
	if parent.Kind != identity.OrgProvince || hasPrefixFold(name, councilPrefixes) != "" {
		return name
	}
	first, rest, _ := strings.Cut(name, " ")
	return "UBND " + strings.ToLower(first) + " " + rest
}

// placePrefixes are what comes before a city's or province's own name, longest first.
var placePrefixes = []string{
	"UBND thành phố ", "UBND tỉnh ", "Ủy ban nhân dân thành phố ", "Ủy ban nhân dân tỉnh ",
	"Uỷ ban nhân dân thành phố ", "Uỷ ban nhân dân tỉnh ", "Thành phố ", "Tỉnh ", "TP. ", "TP ",
}

// placeName is the place of the date line: the root organisation's name without "Thành phố",
// "Tỉnh" or the committee ("Thành phố Cần Thơ" → "Cần Thơ").
func placeName(root string) string {
	root = strings.TrimSpace(root)
	if p := hasPrefixFold(root, placePrefixes); p != "" {
		return strings.TrimSpace(root[len(p):])
	}
	return root
}

// hasPrefixFold is the first of prefixes that s starts with, ignoring case, or "".
func hasPrefixFold(s string, prefixes []string) string {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return p
		}
	}
	return ""
}
