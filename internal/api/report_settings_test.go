package api_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/report"
)

// TestReportSettingsAPI reads an organisation's defaults, is refused as its operator,
// names the field of bad input in the request's language, and stores the agency
// administrator's settings; the contract checker validates every exchange.
func TestReportSettingsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
		admin := app.Token(t, app.User(t, access.AgencyAdmin, org.ID))
		operator := app.Token(t, app.User(t, access.AgencyOperator, org.ID))
		path := "/api/v1/orgs/" + strconv.FormatInt(org.ID, 10) + "/report-settings"

		var v report.SettingsView
		if st := app.JSON(t, operator, "GET", path+"?lang=en", nil, &v); st != 200 || v.Effective.NumberPrefix != "BC-SKHCN" || v.Effective.SignerTitle != "Head of agency" ||
			len(v.Stored.Recipients) != 0 || v.CanEdit || v.UpdatedAt != nil {
			t.Fatalf("defaults: %d %+v", st, v)
		}
		body := map[string]any{"number_prefix": "BC-KHCN", "signer_name": "Trần Thị Minh Thư", "recipients": []string{"Sở Thông tin và Truyền thông", "Lưu: VT"}}
		if st := app.JSON(t, operator, "PUT", path, body, nil); st != 403 {
			t.Errorf("operator's save: %d", st)
		}
		var problem api.ErrorBody
		if st := app.JSON(t, admin, "PUT", path+"?lang=en", map[string]any{"place": strings.Repeat("x", 101)}, &problem); st != 422 || len(problem.Error.Fields) != 1 ||
			problem.Error.Fields[0].Field != "place" || problem.Error.Fields[0].Message != "at most 100 characters" {
			t.Errorf("bad place: %d %+v", st, problem)
		}
		if st := app.JSON(t, admin, "PUT", path, body, &v); st != 200 || v.Effective.SignerName != "Trần Thị Minh Thư" || v.Effective.NumberPrefix != "BC-KHCN" ||
			!slices.Equal(v.Effective.Recipients, []string{"Sở Thông tin và Truyền thông", "Lưu: VT"}) || !v.CanEdit || v.UpdatedAt == nil {
			t.Errorf("save: %d %+v", st, v)
		}
	})
}
