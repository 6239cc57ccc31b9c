package inventory

import (
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/validation"
)

// MaxText bounds every free-text field (bytes).
const MaxText = 2000

// System is an agency's information system.
type System struct {
	ID    int64  `json:"id"`
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	// Purpose says what the system is for.
	Purpose string `json:"purpose,omitempty"`
	// The operator is another organisation of the province, or an outside
	// provider named with its contract.
	OperatorOrgID    int64  `json:"operator_org_id,omitempty"`
	OperatorName     string `json:"operator_name,omitempty"`
	OperatorContract string `json:"operator_contract,omitempty"`
	// Level is the approved security level 1–5; 0 is "not yet classified".
	Level             int    `json:"level"`
	LevelDecision     string `json:"level_decision,omitempty"`
	LevelDecisionDate string `json:"level_decision_date,omitempty"` // YYYY-MM-DD
	LevelApprover     string `json:"level_approver,omitempty"`
	Hosting           string `json:"hosting,omitempty"`
	HostingProvider   string `json:"hosting_provider,omitempty"`
	Users             int    `json:"users"`
	PersonalData      bool   `json:"personal_data"`
	DataSubjects      int    `json:"data_subjects"`
	PopulationDB      bool   `json:"population_db"`
	AdminProcedures   bool   `json:"admin_procedures"`
	GoLive            string `json:"go_live,omitempty"` // YYYY-MM-DD
	Status            string `json:"status"`
	ContactStaffID    int64  `json:"contact_staff_id,omitempty"`
	DeviceCounts
	// ArchivedAt is set while the system is archived: kept with its assets
	// and history, left out of lists and counts.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// DeviceCounts are the numbers of devices of a system [000 II.1.d].
type DeviceCounts struct {
	Servers         int `json:"servers"`
	Workstations    int `json:"workstations"`
	NetworkDevices  int `json:"network_devices"`
	SecurityDevices int `json:"security_devices"`
}

// Normalise validates the system's own fields and fills defaults; the
// owner organisation is checked where it is resolved (storage, import).
func (s *System) Normalise() validation.Errors {
	return append(s.normaliseFields(), s.crossCheck()...)
}

// crossCheck checks the rules that tie fields together; an import checks
// them once a row is merged over the stored system.
func (s *System) crossCheck() validation.Errors {
	var es validation.Errors
	if s.Level == 0 && (s.LevelDecision != "" || s.LevelDecisionDate != "") {
		es.Add("level", "inv.err.level_decided")
	}
	if !s.PersonalData && s.DataSubjects > 0 {
		es.Add("data_subjects", "inv.err.data_subjects")
	}
	return es
}

// normaliseFields validates each field on its own and fills defaults.
func (s *System) normaliseFields() validation.Errors {
	var es validation.Errors
	s.Name = strings.Join(strings.Fields(s.Name), " ")
	if s.Name == "" {
		es.Add("name", "inv.err.system_name_required")
	}
	if k, ok := SystemKinds.Parse(s.Kind); ok {
		s.Kind = k
	} else {
		es.Add("kind", "inv.err.system_kind", s.Kind)
	}
	if s.Level < 0 || s.Level > 5 {
		es.Add("level", "inv.err.level_range")
	}
	if s.Hosting != "" {
		if h, ok := Hostings.Parse(s.Hosting); ok {
			s.Hosting = h
		} else {
			es.Add("hosting", "inv.err.hosting", s.Hosting)
		}
	}
	if s.Status == "" {
		s.Status = "operating"
	}
	if st, ok := Statuses.Parse(s.Status); ok {
		s.Status = st
	} else {
		es.Add("status", "inv.err.status", s.Status)
	}
	checkDate(&es, "level_decision_date", &s.LevelDecisionDate)
	checkDate(&es, "go_live", &s.GoLive)
	for _, c := range []struct {
		field string
		n     int
	}{{"users", s.Users}, {"data_subjects", s.DataSubjects}, {"servers", s.Servers}, {"workstations", s.Workstations},
		{"network_devices", s.NetworkDevices}, {"security_devices", s.SecurityDevices}} {
		if c.n < 0 {
			es.Add(c.field, "inv.err.negative")
		}
	}
	checkLengths(&es, map[string]string{"name": s.Name, "purpose": s.Purpose, "operator_name": s.OperatorName, "operator_contract": s.OperatorContract,
		"level_decision": s.LevelDecision, "level_approver": s.LevelApprover, "hosting_provider": s.HostingProvider})
	return es
}

// Control is one security measure of a system.
type Control struct {
	SystemID int64  `json:"system_id"`
	Control  string `json:"control"`
	Status   string `json:"status"` // yes, partial, no
	Product  string `json:"product,omitempty"`
	Notes    string `json:"notes,omitempty"`
	// Backup only: how often, and when a restore was last tested.
	BackupFrequency string    `json:"backup_frequency,omitempty"`
	LastRestoreTest string    `json:"last_restore_test,omitempty"` // YYYY-MM-DD
	UpdatedAt       time.Time `json:"updated_at"`
}

// Normalise validates the control.
func (c *Control) Normalise() validation.Errors {
	var es validation.Errors
	if k, ok := Controls.Parse(c.Control); ok {
		c.Control = k
	} else {
		es.Add("control", "inv.err.control", c.Control)
	}
	if st, ok := ControlStatuses.Parse(c.Status); ok {
		c.Status = st
	} else {
		es.Add("status", "inv.err.control_status", c.Status)
	}
	checkDate(&es, "last_restore_test", &c.LastRestoreTest)
	if c.Control != "backup" && (c.BackupFrequency != "" || c.LastRestoreTest != "") {
		es.Add("backup_frequency", "inv.err.backup_only")
	}
	checkLengths(&es, map[string]string{"product": c.Product, "notes": c.Notes, "backup_frequency": c.BackupFrequency})
	return es
}

// Staff is a person of an organisation in charge of information security [000 II.1.đ].
type Staff struct {
	ID             int64           `json:"id"`
	OrgID          int64           `json:"org_id"`
	Name           string          `json:"name"`
	Position       string          `json:"position,omitempty"`
	Email          string          `json:"email"`
	Phone          string          `json:"phone,omitempty"`
	Qualifications []Qualification `json:"qualifications,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// Normalise validates the staff member; the e-mail is the natural key.
func (s *Staff) Normalise() validation.Errors {
	var es validation.Errors
	s.Name = strings.Join(strings.Fields(s.Name), " ")
	if s.Name == "" {
		es.Add("name", "inv.err.staff_name_required")
	}
	s.Email = strings.ToLower(strings.TrimSpace(s.Email))
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
		es.Add("email", "inv.err.email", s.Email)
	}
	s.Phone = strings.TrimSpace(s.Phone)
	for _, r := range s.Phone {
		if !strings.ContainsRune("0123456789+ .-()", r) {
			es.Add("phone", "inv.err.phone", s.Phone)
			break
		}
	}
	checkLengths(&es, map[string]string{"name": s.Name, "position": s.Position, "email": s.Email, "phone": s.Phone})
	return es
}

// Qualification is a training or certificate of a staff member.
type Qualification struct {
	ID          int64     `json:"id"`
	StaffID     int64     `json:"staff_id"`
	Course      string    `json:"course"`
	CompletedOn string    `json:"completed_on,omitempty"` // YYYY-MM-DD
	Certificate string    `json:"certificate,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Normalise validates the qualification.
func (q *Qualification) Normalise() validation.Errors {
	var es validation.Errors
	q.Course = strings.Join(strings.Fields(q.Course), " ")
	if q.Course == "" {
		es.Add("course", "inv.err.course_required")
	}
	checkDate(&es, "completed_on", &q.CompletedOn)
	checkLengths(&es, map[string]string{"course": q.Course, "certificate": q.Certificate})
	return es
}

// DateLayout is how calendar days are stored and exchanged.
const DateLayout = "2006-01-02"

// ParseDate accepts ISO dates and the Vietnamese day/month/year form.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{DateLayout, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(DateLayout), nil
		}
	}
	return "", validation.Invalid("", "inv.err.date", s)
}

func checkDate(es *validation.Errors, field string, v *string) {
	d, err := ParseDate(*v)
	if err != nil {
		es.AddAt(field, err)
		return
	}
	*v = d
}

// checkLengths reports over-long text fields in field-name order.
func checkLengths(es *validation.Errors, fields map[string]string) {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if len(fields[f]) > MaxText || !utf8.ValidString(fields[f]) {
			es.Add(f, "inv.err.too_long", MaxText)
		}
	}
}
