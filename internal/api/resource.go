package api

import (
	"context"
	"net/http"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/storage"
)

// resource serves the read, create, change and delete endpoints of one kind
// of object in the same way. T is what the caller sends and storage writes; V
// is what storage reads back (T with the names shown next to it).
type resource[T, V any] struct {
	db     *storage.Store
	get    func(context.Context, storage.Querier, access.Actor, int64) (V, error)
	create func(context.Context, *storage.Store, access.Actor, *T) error
	update func(context.Context, *storage.Store, access.Actor, *T) error
	remove func(context.Context, *storage.Store, access.Actor, int64) error
	// stored is the object inside a view; id is the object's id field.
	stored func(*V) *T
	id     func(*T) *int64
}

// respond writes v with status, or the error.
func respond(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, status, v)
}

// write answers with the object id as storage reads it back.
func (res resource[T, V]) write(w http.ResponseWriter, r *http.Request, status int, id int64) {
	v, err := res.get(r.Context(), res.db, httpx.Caller(r), id)
	respond(w, r, status, v, err)
}

func (res resource[T, V]) Get(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	res.write(w, r, http.StatusOK, id)
}

func (res resource[T, V]) Create(w http.ResponseWriter, r *http.Request) {
	var obj T
	if err := httpx.Decode(w, r, &obj); err != nil {
		Fail(w, r, err)
		return
	}
	*res.id(&obj) = 0
	if err := res.create(r.Context(), res.db, httpx.Caller(r), &obj); err != nil {
		Fail(w, r, err)
		return
	}
	res.write(w, r, http.StatusCreated, *res.id(&obj))
}

// Update applies the fields present in the body to the stored object.
// Decoding into the view accepts a body read back from GET unchanged.
func (res resource[T, V]) Update(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := res.get(r.Context(), res.db, httpx.Caller(r), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := httpx.Decode(w, r, &v); err != nil {
		Fail(w, r, err)
		return
	}
	obj := res.stored(&v)
	*res.id(obj) = id
	if err := res.update(r.Context(), res.db, httpx.Caller(r), obj); err != nil {
		Fail(w, r, err)
		return
	}
	res.write(w, r, http.StatusOK, id)
}

func (res resource[T, V]) Delete(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = res.remove(r.Context(), res.db, httpx.Caller(r), id)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
