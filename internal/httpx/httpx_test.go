package httpx

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func TestDecode(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Level int    `json:"level"`
	}
	tests := []struct {
		name, in  string
		wantField string
		wantMsg   string
	}{
		{"ok", `{"name":"Cổng","level":2}`, "", ""},
		{"empty", ``, "body", "empty body"},
		{"syntax", `{"name":`, "body", "invalid JSON"},
		{"wrong type", `{"level":"two"}`, "level", "must be int"},
		{"unknown field", `{"nme":"x"}`, "body", "unknown field"},
		{"trailing data", `{"name":"a"} {"name":"b"}`, "body", "unexpected data"},
		{"too big", `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, "body", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.in))
			var b body
			err := Decode(httptest.NewRecorder(), r, &b)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			es, ok := validation.As(err)
			if !ok || len(es) != 1 {
				t.Fatalf("want one validation error, got %v", err)
			}
			// Messages are Vietnamese by default; the English text is checked here.
			if en := es[0].Localize(i18n.EN); es[0].Field != tt.wantField || !strings.Contains(en.Message, tt.wantMsg) {
				t.Fatalf("got %s: %s", en.Field, en.Message)
			}
		})
	}
}

func TestPathID(t *testing.T) {
	for _, tt := range []struct {
		value string
		ok    bool
	}{{"7", true}, {"0", false}, {"-3", false}, {"x", false}, {"99999999999999999999", false}} {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("id", tt.value)
		id, err := PathID(r, "id")
		if (err == nil) != tt.ok || (tt.ok && id != 7) {
			t.Errorf("PathID(%q) = %d, %v", tt.value, id, err)
		}
	}
}

func TestPathIDs(t *testing.T) {
	for _, tt := range []struct {
		id, inner string
		ok        bool
	}{{"7", "9", true}, {"x", "9", false}, {"7", "0", false}, {"", "", false}} {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("id", tt.id)
		r.SetPathValue("file_id", tt.inner)
		id, inner, err := PathIDs(r, "file_id")
		if (err == nil) != tt.ok || (tt.ok && (id != 7 || inner != 9)) || (!tt.ok && !errors.Is(err, access.ErrNotFound)) {
			t.Errorf("PathIDs(%q, %q) = %d, %d, %v", tt.id, tt.inner, id, inner, err)
		}
	}
}

func TestSendFile(t *testing.T) {
	w := httptest.NewRecorder()
	SendFile(w, "nhật ký.txt", []byte("<script>"))
	want := map[string]string{
		"Content-Type":           "application/octet-stream",
		"Content-Disposition":    "attachment; filename*=utf-8''nh%E1%BA%ADt%20k%C3%BD.txt",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"Content-Length":         "8",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if w.Body.String() != "<script>" {
		t.Errorf("body %q", w.Body.String())
	}
}

// lockout is a Throttled error, as auth.LockedError is.
type lockout struct{}

func (lockout) Error() string      { return "locked" }
func (lockout) RetryAt() time.Time { return time.Now().Add(time.Minute) }

func TestProblemOf(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
		code   string
	}{
		{validation.Invalid("name", "validation.id"), 422, "invalid"},
		{fmt.Errorf("create org: %w", validation.Errors{validation.Invalid("code", "validation.id")}), 422, "invalid"},
		{fmt.Errorf("code SKHCN: %w", storage.Conflict("code", "validation.id")), 409, "conflict"},
		{access.Denied(access.Viewer, access.Write), 403, "forbidden"},
		{fmt.Errorf("%w: %w", ErrTooLarge, validation.Invalid("body", "validation.body_too_large", 1)), 413, "too_large"},
		{fmt.Errorf("system 3: %w", access.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("role viewer: %w", access.ErrForbidden), 403, "forbidden"},
		{fmt.Errorf("code SKHCN: %w", storage.ErrConflict), 409, "conflict"},
		{fmt.Errorf("change password: %w", lockout{}), 429, "locked"},
		{errors.New("disk full"), 500, "internal"},
	} {
		if p := ProblemOf(tt.err); p.Status != tt.status || p.Code != tt.code {
			t.Errorf("ProblemOf(%v) = %+v", tt.err, p)
		}
	}
}

func TestDecodeRefusesControlCharacters(t *testing.T) {
	type item struct {
		Label string `json:"label"`
	}
	type body struct {
		Name  string            `json:"name"`
		Notes string            `json:"notes"`
		Items []item            `json:"items"`
		Tags  map[string]string `json:"tags"`
		Ref   *item             `json:"ref"`
	}
	tests := []struct{ in, field string }{
		{`{"name":"a\u0000b"}`, "name"},
		{`{"name":"a\u001bb"}`, "name"},
		{`{"items":[{"label":"x"},{"label":"\u0000"}]}`, "items[1].label"},
		{`{"tags":{"k":"v\u0000"}}`, "tags.k"},
		{`{"ref":{"label":"\u0007"}}`, "ref.label"},
		{`{"notes":"line 1\nline 2\tend\r\n"}`, ""},
	}
	for _, tt := range tests {
		var b body
		err := Decode(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(tt.in)), &b)
		es, _ := validation.As(err)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.in, err)
			}
			continue
		}
		if len(es) != 1 || es[0].Field != tt.field || es[0].Key != "validation.control_char" {
			t.Errorf("%s: want a control character problem with %s, got %v", tt.in, tt.field, err)
		}
	}
}

func TestParsePage(t *testing.T) {
	cursor := storage.EncodeCursor([]any{"SKHCN", int64(7)})
	for _, tt := range []struct {
		query     string
		limit     int
		after     []any
		badFields []string
	}{
		{"", 0, nil, nil},
		{"limit=1", 1, nil, nil},
		{"limit=500", 500, nil, nil},
		{"cursor=" + cursor, 0, []any{"SKHCN", int64(7)}, nil},
		{"limit=0", 0, nil, []string{"limit"}},
		{"limit=501", 0, nil, []string{"limit"}},
		{"limit=-1", 0, nil, []string{"limit"}},
		{"limit=ten", 0, nil, []string{"limit"}},
		{"limit=", 0, nil, []string{"limit"}},
		{"cursor=100", 0, nil, []string{"cursor"}},
		{"limit=0&cursor=x" + cursor, 0, nil, []string{"limit", "cursor"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			p, err := ParsePage(httptest.NewRequest("GET", "/?"+tt.query, nil))
			var fields []string
			es, _ := validation.As(err)
			for _, e := range es {
				fields = append(fields, e.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.badFields, ",") {
				t.Fatalf("fields %v, want %v (%v)", fields, tt.badFields, err)
			}
			if err == nil && (p.Limit != tt.limit || fmt.Sprint(p.After) != fmt.Sprint(tt.after)) {
				t.Fatalf("page %+v", p)
			}
		})
	}
}

func TestDetailIsInTheReadersLanguage(t *testing.T) {
	err := fmt.Errorf("update user 3: %w", access.Denied(access.Viewer, access.ManageUsers))
	for lang, want := range map[string]string{i18n.VI: "Chỉ xem", i18n.EN: "manage users"} {
		if msg, fields := Detail(err, lang); fields != nil || !strings.Contains(msg, want) || strings.Contains(msg, "update user") {
			t.Errorf("%s: %q %v", lang, msg, fields)
		}
	}
	if msg, fields := Detail(errors.New("disk full"), i18n.EN); msg != "" || fields != nil {
		t.Errorf("internal detail shown: %q %v", msg, fields)
	}
	if msg, fields := Detail(fmt.Errorf("org: %w", storage.Conflict("code", "validation.id")), i18n.EN); len(fields) != 1 || fields[0].Field != "code" || msg == "" {
		t.Errorf("conflict: %q %v", msg, fields)
	}
}
