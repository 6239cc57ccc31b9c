package storage

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/validation"
)

func TestCursorRoundTrip(t *testing.T) {
	key := []any{"SKHCN", "cổng thông tin", int64(42)}
	got, err := DecodeCursor(EncodeCursor(key))
	if err != nil || !slices.Equal(got, key) {
		t.Fatalf("DecodeCursor(EncodeCursor(%v)) = %v, %v", key, got, err)
	}
	if got, err := DecodeCursor(""); got != nil || err != nil {
		t.Fatalf("empty cursor = %v, %v", got, err)
	}
}

func TestDecodeCursorRefusesTampering(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, c := range map[string]string{
		"not base64":     "%%%",
		"padded base64":  base64.URLEncoding.EncodeToString([]byte(`["a"]`)),
		"not JSON":       b64("abc"),
		"object":         b64(`{"a":1}`),
		"empty array":    b64(`[]`),
		"float":          b64(`[1.5]`),
		"nested":         b64(`[["a"]]`),
		"null":           b64(`[null]`),
		"trailing":       b64(`["a"] ["b"]`),
		"huge integer":   b64(`[99999999999999999999]`),
		"an offset (v1)": "100",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeCursor(c)
			if es, ok := validation.As(err); !ok || es[0].Field != "cursor" {
				t.Fatalf("DecodeCursor(%q) = %v, want a cursor error", c, err)
			}
		})
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor([]any{"a", int64(1)}))
	f.Add("W10")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := DecodeCursor(s)
		if err != nil || key == nil {
			return
		}
		// What decodes encodes back to a cursor that decodes the same.
		again, err := DecodeCursor(EncodeCursor(key))
		if err != nil || !slices.Equal(again, key) {
			t.Fatalf("%q: %v then %v, %v", s, key, again, err)
		}
	})
}

func TestKeysetRefusesAKeyOfAnotherShape(t *testing.T) {
	k := Keyset{Text: []string{"grp", "name"}, ID: "id"}
	for _, key := range [][]any{{"a", "b"}, {"a", "b", "c"}, {int64(1), "b", int64(2)}, {"a", "b", int64(1), int64(2)}} {
		if err := k.After(NewWhere("1=1"), key); err == nil {
			t.Errorf("key %v accepted", key)
		}
	}
	w := NewWhere("1=1")
	if err := k.After(w, []any{"a", "b", int64(3)}); err != nil || w.SQL() != " WHERE 1=1 AND (grp, name, id) > (?, ?, ?)" {
		t.Fatalf("%q, %v", w.SQL(), err)
	}
	if got := (Keyset{ID: "id", Desc: true}).OrderBy(); got != " ORDER BY id DESC" {
		t.Fatalf("OrderBy = %q", got)
	}
}

type pageRow struct {
	ID        int64
	Grp, Name string
}

// TestListWalksEveryPage walks a list of many pages, ascending and
// descending, with ties in the text columns, while rows are inserted before
// and after the reader's position: every row that was there from the start
// is read exactly once, in order, and no row twice.
func TestListWalksEveryPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := New(db)
		if _, err := db.Write.ExecContext(ctx, "CREATE TABLE page_test (id BIGINT PRIMARY KEY, grp TEXT NOT NULL, name TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		insert := func(id int64, grp, name string) {
			t.Helper()
			if err := s.InTx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO page_test (id, grp, name) VALUES (?, ?, ?)", id, grp, name)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		var want []pageRow
		for i := range int64(23) {
			r := pageRow{ID: 100 + i, Grp: fmt.Sprintf("g%d", i%3), Name: fmt.Sprintf("n%d", i%4)} // ties on (grp, name)
			insert(r.ID, r.Grp, r.Name)
			want = append(want, r)
		}
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("desc=%v", desc), func(t *testing.T) {
				order := slices.Clone(want)
				slices.SortFunc(order, func(a, b pageRow) int {
					c := cmpRow(a, b)
					if desc {
						c = -c
					}
					return c
				})
				l := List[pageRow]{Select: "SELECT t.id, t.grp, t.name", From: " FROM page_test t", Where: NewWhere("t.id >= ?", 100),
					Order: Keyset{Text: []string{"t.grp", "t.name"}, ID: "t.id", Desc: desc},
					Scan: func(sc Scanner) (pageRow, error) {
						var r pageRow
						return r, sc.Scan(&r.ID, &r.Grp, &r.Name)
					},
					Key: func(r pageRow) []any { return []any{r.Grp, r.Name, r.ID} }}
				var got []pageRow
				seen := map[int64]bool{}
				p := First(4)
				for pages := 0; ; pages++ {
					res, err := l.Read(ctx, s, p)
					if err != nil {
						t.Fatal(err)
					}
					if pages == 0 && res.Total != len(want) {
						t.Fatalf("total %d, want %d", res.Total, len(want))
					}
					for _, r := range res.Items {
						if seen[r.ID] {
							t.Fatalf("row %d twice", r.ID)
						}
						seen[r.ID] = true
						if r.ID < 1000 {
							got = append(got, r)
						}
					}
					if res.Next == "" {
						break
					}
					if len(res.Items) != 4 {
						t.Fatalf("a page of %d before the end", len(res.Items))
					}
					if pages == 1 {
						// Concurrent writers: one row sorts before the reader, one after.
						first, last := order[0], order[len(order)-1]
						insert(int64(1000+2*pages), first.Grp, first.Name)
						insert(int64(1001+2*pages), last.Grp, last.Name)
					}
					if p.After, err = DecodeCursor(res.Next); err != nil {
						t.Fatal(err)
					}
				}
				if !slices.Equal(got, order) {
					t.Fatalf("walked\n%v\nwant\n%v", got, order)
				}
				if err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.Exec(ctx, "DELETE FROM page_test WHERE id >= 1000"); return err }); err != nil {
					t.Fatal(err)
				}
			})
		}
		t.Run("tampered cursor", func(t *testing.T) {
			l := List[pageRow]{Select: "SELECT t.id, t.grp, t.name", From: " FROM page_test t", Where: NewWhere("1=1"),
				Order: Keyset{Text: []string{"t.grp"}, ID: "t.id"}, Scan: func(Scanner) (pageRow, error) { return pageRow{}, nil }}
			_, err := l.Read(ctx, s, Page{After: []any{int64(1), "x"}})
			if es, ok := validation.As(err); !ok || es[0].Field != "cursor" {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func cmpRow(a, b pageRow) int {
	return cmp.Or(cmp.Compare(a.Grp, b.Grp), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}

func TestPageSlice(t *testing.T) {
	items := []string{"firewall", "antivirus", "backup", "siem", "waf"}
	var got []string
	p := First(2)
	for {
		res, err := PageSlice(items, p, func(s string) string { return s })
		if err != nil || res.Total != 5 {
			t.Fatal(res, err)
		}
		got = append(got, res.Items...)
		if res.Next == "" {
			break
		}
		p.After, _ = DecodeCursor(res.Next)
	}
	if !slices.Equal(got, items) {
		t.Fatalf("%v", got)
	}
	if _, err := PageSlice(items, Page{After: []any{"nope"}}, func(s string) string { return s }); err == nil {
		t.Fatal("unknown cursor accepted")
	}
}

func TestPageLimit(t *testing.T) {
	for _, tt := range []struct{ asked, got int }{{0, DefaultLimit}, {-1, DefaultLimit}, {1, 1}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}} {
		if got := (Page{Limit: tt.asked}).limit(); got != tt.got {
			t.Errorf("limit %d reads %d rows, want %d", tt.asked, got, tt.got)
		}
	}
}
