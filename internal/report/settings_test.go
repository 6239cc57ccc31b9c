package report

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/validation"
)

func TestSettingsNormalise(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ệ", n) }
	many := make([]string, MaxRecipients+1)
	for i := range many {
		many[i] = "Sở Thông tin và Truyền thông"
	}
	for _, c := range []struct {
		name   string
		in     Settings
		want   Settings // after normalising, when valid
		fields []string // fields in error; none: valid
	}{
		{"empty keeps every default", Settings{}, Settings{Recipients: []string{}}, nil},
		{"trimmed, slash and blank lines dropped",
			Settings{Issuer: "  Sở Khoa học và Công nghệ ", NumberPrefix: " /BC-SKHCN", SignerAuthority: "KT. GIÁM ĐỐC", Recipients: []string{" UBND thành phố Cần Thơ ", "", "  ", "Lưu: VT, CNTT"}},
			Settings{Issuer: "Sở Khoa học và Công nghệ", NumberPrefix: "BC-SKHCN", SignerAuthority: "KT. GIÁM ĐỐC", Recipients: []string{"UBND thành phố Cần Thơ", "Lưu: VT, CNTT"}}, nil},
		{"a prefix with Vietnamese letters", Settings{NumberPrefix: "BC-SGDĐT"}, Settings{NumberPrefix: "BC-SGDĐT", Recipients: []string{}}, nil},
		{"names at their limit", Settings{Issuer: long(maxBodyName), SignerName: long(maxSigner)}, Settings{Issuer: long(maxBodyName), SignerName: long(maxSigner), Recipients: []string{}}, nil},
		{"too long", Settings{Issuer: long(maxBodyName + 1), Parent: long(maxBodyName + 1), Place: long(maxPlace + 1), SignerAuthority: long(maxSigner + 1), SignerTitle: long(maxSigner + 1), SignerName: long(maxSigner + 1)}, Settings{},
			[]string{"issuer", "parent", "place", "signer_authority", "signer_title", "signer_name"}},
		{"a prefix with a space", Settings{NumberPrefix: "BC SKHCN"}, Settings{}, []string{"number_prefix"}},
		{"a prefix too long", Settings{NumberPrefix: strings.Repeat("A", maxPrefix+1)}, Settings{}, []string{"number_prefix"}},
		{"control characters", Settings{SignerName: "Nguyễn\x00Văn A", Recipients: []string{"Sở Tài chính", "Ban\tChỉ đạo"}}, Settings{}, []string{"signer_name", "recipients.1"}},
		{"a recipient too long", Settings{Recipients: []string{"Sở Tài chính", long(maxRecipient + 1)}}, Settings{}, []string{"recipients.1"}},
		{"too many recipients", Settings{Recipients: many}, Settings{}, []string{"recipients"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Normalise()
			if c.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(c.in, c.want) {
					t.Errorf("normalised to %+v, want %+v", c.in, c.want)
				}
				return
			}
			es, ok := validation.As(err)
			if !ok {
				t.Fatalf("%v is not a validation error", err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Field)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
			if msg := es.Localize(i18n.VI).Error(); strings.Contains(msg, "report.settings.err") {
				t.Errorf("message without its text: %q", msg)
			}
		})
	}
}

// header is the Sở Khoa học và Công nghệ of Cần Thơ with settings stored.
func header(stored Settings) orgHeader {
	root := identity.Org{ID: 1, Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince, Path: "/1/"}
	return orgHeader{
		issuer: identity.Org{ID: 4, ParentID: 1, Code: "skhcn", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment, Path: "/1/4/"},
		parent: root, root: root, stored: settingsRow{OrgID: 4, Settings: stored},
	}
}

func TestEffectiveSettings(t *testing.T) {
	defaults := Settings{Issuer: "Sở Khoa học và Công nghệ", Parent: "UBND thành phố Cần Thơ", Place: "Cần Thơ", NumberPrefix: "BC-SKHCN",
		SignerTitle: "Thủ trưởng cơ quan", Recipients: []string{"UBND thành phố Cần Thơ", "Lưu: VT"}}
	for _, c := range []struct {
		name   string
		stored Settings
		lang   string
		want   Settings
	}{
		{"nothing stored", Settings{}, i18n.VI, defaults},
		{"English defaults", Settings{}, i18n.EN, Settings{Issuer: "Sở Khoa học và Công nghệ", Parent: "UBND thành phố Cần Thơ", Place: "Cần Thơ", NumberPrefix: "BC-SKHCN",
			SignerTitle: "Head of agency", Recipients: []string{"UBND thành phố Cần Thơ", "Archive: VT"}}},
		{"the signer only", Settings{SignerAuthority: "KT. GIÁM ĐỐC", SignerTitle: "Phó Giám đốc", SignerName: "Trần Văn Bình"}, i18n.VI,
			Settings{Issuer: defaults.Issuer, Parent: defaults.Parent, Place: defaults.Place, NumberPrefix: defaults.NumberPrefix,
				SignerAuthority: "KT. GIÁM ĐỐC", SignerTitle: "Phó Giám đốc", SignerName: "Trần Văn Bình", Recipients: defaults.Recipients}},
		// The default recipients name the governing body the organisation set.
		{"another governing body", Settings{Parent: "Bộ Khoa học và Công nghệ"}, i18n.VI,
			Settings{Issuer: defaults.Issuer, Parent: "Bộ Khoa học và Công nghệ", Place: defaults.Place, NumberPrefix: defaults.NumberPrefix,
				SignerTitle: defaults.SignerTitle, Recipients: []string{"Bộ Khoa học và Công nghệ", "Lưu: VT"}}},
		{"own recipients replace the list", Settings{Place: "Ninh Kiều", NumberPrefix: "BC-KHCN", Recipients: []string{"Ban Chỉ đạo", "Lưu: VT, CNTT"}}, i18n.VI,
			Settings{Issuer: defaults.Issuer, Parent: defaults.Parent, Place: "Ninh Kiều", NumberPrefix: "BC-KHCN",
				SignerTitle: defaults.SignerTitle, Recipients: []string{"Ban Chỉ đạo", "Lưu: VT, CNTT"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := header(c.stored).effective(c.lang); !reflect.DeepEqual(got, c.want) {
				t.Errorf("effective\n %+v, want\n %+v", got, c.want)
			}
		})
	}
}

func TestSettingsPreview(t *testing.T) {
	h := header(Settings{SignerAuthority: "KT. Giám đốc", SignerTitle: "Phó Giám đốc", SignerName: "Trần Văn Bình", Recipients: []string{"Ban Chỉ đạo;", "Lưu: VT"}})
	v := SettingsView{Effective: h.effective(i18n.VI), lang: i18n.VI}
	got := v.Preview(time.Date(2026, 2, 5, 3, 0, 0, 0, time.UTC))
	want := []string{"UBND THÀNH PHỐ CẦN THƠ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Số:       /BC-SKHCN", "Cần Thơ, ngày 05 tháng 02 năm 2026", "Nơi nhận:", "- Ban Chỉ đạo;", "- Lưu: VT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Văn Bình"}
	have := append([]string{got.Parent, got.Issuer, got.Nation, got.Motto, got.Number, got.DateLine, got.RecipientsLabel}, got.Recipients...)
	have = append(have, got.Authority, got.Title, got.Signer)
	if !slices.Equal(have, want) {
		t.Errorf("preview\n %q, want\n %q", have, want)
	}
}
