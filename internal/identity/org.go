package identity

import (
	"regexp"
	"strings"
	"time"

	"github.com/khien/khien/internal/validation"
)

// Org is an organisation in the province's tree.
type Org struct {
	ID         int64      `json:"id"`
	ParentID   int64      `json:"parent_id,omitempty"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Path       string     `json:"path"`
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Depth is the organisation's level in the tree, 0 for the root.
func (o Org) Depth() int { return strings.Count(o.Path, "/") - 2 }

// Organisation kinds, from the top of the tree down.
const (
	OrgProvince   = "province"
	OrgDepartment = "department"
	OrgDistrict   = "district"
	OrgCommune    = "commune"
	OrgUnit       = "unit"
)

// OrgKinds lists the kinds in tree order.
var OrgKinds = []string{OrgProvince, OrgDepartment, OrgDistrict, OrgCommune, OrgUnit}

// OrgInput is what a caller gives to create or rename an organisation.
type OrgInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     string `json:"kind,omitempty"`
	ParentID int64  `json:"parent_id"`
}

var orgCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// Validate trims the input, defaults the kind to unit and checks code, name
// and kind: the rules an organisation file's rows follow too.
func (in *OrgInput) Validate() error {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = OrgUnit
	}
	var es validation.Errors
	if !orgCodePattern.MatchString(in.Code) {
		es.Add("code", "identity.err.org_code")
	}
	if in.Name == "" || len(in.Name) > 300 {
		es.Add("name", "identity.err.org_name")
	}
	known := false
	for _, k := range OrgKinds {
		known = known || k == in.Kind
	}
	if !known {
		es.Add("kind", "identity.err.org_kind")
	}
	return es.Err()
}

// OrgQuery filters ListOrgs.
type OrgQuery struct {
	Search          string
	IncludeArchived bool
}
