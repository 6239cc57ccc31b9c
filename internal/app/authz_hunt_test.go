package app_test

import (
	"context"
	"net/url"
	"strconv"

	"github.com/khien/khien/internal/hunt"
)

// huntRows: the threat hunts, API and pages. Everyone in scope reads them;
// the roles that work incidents (handlers) open, work and finish them.
var huntRows = map[string]rule{
	"GET /api/v1/hunts": unscoped(everyone...),
	"POST /api/v1/hunts": object(handlers, global, nil, func(c *cell) any {
		return map[string]any{"system_id": newSystem(c).ID}
	}),
	"GET /api/v1/hunts/{id}":           object(everyone, global, huntIn, nil),
	"PATCH /api/v1/hunts/{id}":         object(handlers, global, huntIn, func(c *cell) any { return map[string]string{"due_date": "2030-01-01"} }),
	"GET /api/v1/hunts/{id}/assignees": object(everyone, global, huntIn, nil),
	"POST /api/v1/hunts/{id}/files": object(handlers, global, huntIn, func(c *cell) any {
		return upload{"file", "nhat-ky.txt", "không thấy dấu hiệu"}
	}),
	"GET /api/v1/hunts/{id}/files/{file_id}": object(everyone, global, huntFileIn, nil),
	"POST /api/v1/hunts/{id}/finish": object(handlers, global, huntIn, func(c *cell) any {
		return map[string]string{"result": hunt.NoneFound, "note": "Không thấy dấu hiệu xâm nhập"}
	}),

	"GET /hunts":       unscoped(everyone...),
	"GET /hunts/badge": unscoped(everyone...),
	"POST /hunts": object(handlers, global, nil, func(c *cell) any {
		return url.Values{"system_id": {systemIn(c)}}
	}),
	"GET /hunts/{id}":                 object(everyone, global, huntIn, nil),
	"POST /hunts/{id}/checklist":      object(handlers, global, huntIn, func(c *cell) any { return url.Values{"item": {"logs"}, "done": {"logs"}} }),
	"POST /hunts/{id}/assign":         object(handlers, global, huntIn, func(c *cell) any { return url.Values{"due_date": {"2030-01-01"}} }),
	"POST /hunts/{id}/files":          object(handlers, global, huntIn, nil),
	"GET /hunts/{id}/files/{file_id}": object(everyone, global, huntFileIn, nil),
	"POST /hunts/{id}/finish": object(handlers, global, huntIn, func(c *cell) any {
		return url.Values{"result": {hunt.NoneFound}, "note": {"Đã rà nhật ký, không thấy dấu hiệu"}}
	}),
}

// huntIn opens a hunt by hand on a fresh system of the cell's organisation.
func huntIn(c *cell) string {
	h, err := hunt.Create(context.Background(), c.app.Store, inventoryActor(), hunt.Input{SystemID: newSystem(c).ID})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(h.ID, 10)
}

func huntFileIn(c *cell) string {
	id := huntIn(c)
	n, _ := strconv.ParseInt(id, 10, 64)
	f, err := hunt.Attach(context.Background(), c.app.Store, inventoryActor(), n, "bang-chung.txt", []byte("nhật ký"))
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {id}, "file_id": {strconv.FormatInt(f.ID, 10)}}.Encode()
}
