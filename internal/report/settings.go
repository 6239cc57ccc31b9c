package report

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/validation"
)

// Settings are an organisation's own header for the documents it issues: what the header,
// the number, the recipients and the signature print in place of the defaults drawn from
// the organisation tree. An empty field (an empty list) keeps its default.
type Settings struct {
	Issuer          string   `json:"issuer"`           // the issuing body ("Sở Khoa học và Công nghệ")
	Parent          string   `json:"parent"`           // its governing body ("UBND thành phố Cần Thơ")
	Place           string   `json:"place"`            // of the date line ("Cần Thơ")
	NumberPrefix    string   `json:"number_prefix"`    // after the slash of "Số:      /BC-SKHCN"
	SignerAuthority string   `json:"signer_authority"` // "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"
	SignerTitle     string   `json:"signer_title"`     // "PHÓ GIÁM ĐỐC"
	SignerName      string   `json:"signer_name"`
	Recipients      []string `json:"recipients"` // "Nơi nhận", in order, without dashes or semicolons
}

// Bounds of the settings, in characters: long enough for any Vietnamese body's name, short
// enough to stay on the header's lines.
const (
	maxBodyName  = 200 // issuer, parent
	maxPlace     = 100
	maxPrefix    = 40
	maxSigner    = 100 // authority, title, name
	maxRecipient = 300
)

// MaxRecipients is how many recipients an organisation may list.
const MaxRecipients = 20

// prefixPattern is a number prefix: letters (with diacritics: "BC-SGDĐT"), digits and the
// joiners documents use, no spaces.
var prefixPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}.&_/-]*$`)

// Normalise trims every text, drops a slash before the number prefix ("/BC-SKHCN") and
// empty recipients, and checks the lengths, the prefix, the number of recipients and that
// no text holds a control character. Problems name the field ("recipients.2" for the third
// recipient).
func (s *Settings) Normalise() error {
	var es validation.Errors
	text := func(field string, v *string, limit int) {
		*v = strings.TrimSpace(*v)
		es.CheckText(field, *v, false)
		if utf8.RuneCountInString(*v) > limit {
			es.Add(field, "report.settings.err.too_long", limit)
		}
	}
	text("issuer", &s.Issuer, maxBodyName)
	text("parent", &s.Parent, maxBodyName)
	text("place", &s.Place, maxPlace)
	s.NumberPrefix = strings.TrimPrefix(strings.TrimSpace(s.NumberPrefix), "/")
	text("number_prefix", &s.NumberPrefix, maxPrefix)
	if s.NumberPrefix != "" && !prefixPattern.MatchString(s.NumberPrefix) {
		es.Add("number_prefix", "report.settings.err.prefix")
	}
	text("signer_authority", &s.SignerAuthority, maxSigner)
	text("signer_title", &s.SignerTitle, maxSigner)
	text("signer_name", &s.SignerName, maxSigner)
	recipients := []string{}
	for _, r := range s.Recipients {
		if r = strings.TrimSpace(r); r != "" {
			recipients = append(recipients, r)
		}
	}
	s.Recipients = recipients
	if len(recipients) > MaxRecipients {
		es.Add("recipients", "report.settings.err.recipients", MaxRecipients)
	}
	for i := range recipients {
		text("recipients."+strconv.Itoa(i), &recipients[i], maxRecipient)
	}
	return es.Err()
}

// Over is s with each empty field taken from defaults: what documents print.
func (s Settings) Over(defaults Settings) Settings {
	out := Settings{
		Issuer:          cmp.Or(s.Issuer, defaults.Issuer),
		Parent:          cmp.Or(s.Parent, defaults.Parent),
		Place:           cmp.Or(s.Place, defaults.Place),
		NumberPrefix:    cmp.Or(s.NumberPrefix, defaults.NumberPrefix),
		SignerAuthority: cmp.Or(s.SignerAuthority, defaults.SignerAuthority),
		SignerTitle:     cmp.Or(s.SignerTitle, defaults.SignerTitle),
		SignerName:      cmp.Or(s.SignerName, defaults.SignerName),
		Recipients:      s.Recipients,
	}
	if len(out.Recipients) == 0 {
		out.Recipients = defaults.Recipients
	}
	return out
}

// numberSpace leaves room before the slash of the number, filled in by hand when the
// document is registered.
const numberSpace = "      "

// fill writes the settings into the document's header, recipients (after those the report
// kind named) and signature.
func (s Settings) fill(d *document.Document) {
	d.Issuer, d.Parent, d.Place = s.Issuer, s.Parent, s.Place
	d.Number = numberSpace + "/" + s.NumberPrefix
	d.Recipients = append(d.Recipients, s.Recipients...)
	d.Signature = document.Signature{Authority: s.SignerAuthority, Title: s.SignerTitle, Name: s.SignerName}
}

// CanEditSettings reports whether the actor may change the document settings of the
// organisation at orgPath: those who manage organisations (the coordinator and the
// administrator, as identity lets them rename one) and the agency's own administrators, in
// their subtree. Everyone who sees the organisation may read them.
func CanEditSettings(actor access.Actor, orgPath string) bool {
	return actor.Can(access.ManageOrgs, orgPath) || (actor.Role == access.AgencyAdmin && actor.InScope(orgPath))
}

// SettingsView is an organisation's document settings as GetSettings reads them: what it
// stored, the defaults from the organisation tree, and what documents print.
type SettingsView struct {
	OrgID     int64      `json:"org_id"`
	Stored    Settings   `json:"stored"`
	Defaults  Settings   `json:"defaults"`
	Effective Settings   `json:"effective"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	CanEdit   bool       `json:"can_edit"` // whether the reader may change them
	lang      string
}

// Frame is a document's header and closing as the writers print them, for pages that show
// a preview (they use report, not its document package).
type Frame = document.Frame

// Preview is the header and closing that a document of the organisation issued on day now
// prints, in the language the view was read in.
func (v SettingsView) Preview(now time.Time) Frame {
	d := &document.Document{Lang: v.lang, Date: now}
	v.Effective.fill(d)
	return d.Frame()
}
