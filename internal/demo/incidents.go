package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// IncidentsSummary counts the incident cases the demo opens, and how many are still being worked.
type IncidentsSummary struct {
	Cases, Open int
}

// demoCase is one case of the demo, modelled on the seeds' incidents: where
// it happened, what the responders did and where it stands now.
type demoCase struct {
	org, system string // organisation code and a word of the system's name
	by          string // the account that opened it
	in          incident.Input
	ago         time.Duration // detected this long before now
	events      []string      // what the timeline says happened, an hour apart before detection
	phases      []string      // the phases it went through, in order, each four hours apart
	responder   bool          // the provincial responder is on it
}

var demoCases = []demoCase{
	{org: "SKHCN", system: "Cổng thông tin", by: operatorEmail, ago: 30 * time.Hour, responder: true,
		in: incident.Input{Title: "Cổng thông tin điện tử của Sở bị thay đổi giao diện trang chủ", Category: incident.Defacement, Severity: "high",
			DetectionMethod: "Người dân phản ánh qua đường dây nóng; Trung tâm Giám sát an toàn không gian mạng quốc gia cảnh báo",
			Description:     "Trang chủ hiển thị nội dung \"Hacked by\" và hình ảnh lạ; các trang con vẫn hoạt động."},
		events: []string{"Tải lên tệp lạ vào thư mục /uploads qua chức năng đính kèm của trang tin (nhật ký web)", "Trang chủ bị thay thế lúc rạng sáng"},
		phases: []string{incident.Analysis, incident.Containment, incident.Evidence, incident.Eradication, incident.Recovery}},
	{org: "P-NINHKIEU", system: "Cổng thông tin", by: coordinatorEmail, ago: 20 * 24 * time.Hour,
		in: incident.Input{Title: "Cổng thông tin phường bị chèn liên kết quảng cáo cờ bạc", Category: incident.GamblingInjection, Severity: "medium",
			DetectionMethod: "Danh sách trang .gov.vn bị chèn liên kết do Cục An toàn thông tin gửi",
			Description:     "Các trang con chứa liên kết ẩn tới trang cá cược, chỉ hiện với công cụ tìm kiếm. Đơn vị đã xóa nội dung nhưng chưa tìm nguyên nhân: nội dung xuất hiện lại."},
		events: []string{"Liên kết cờ bạc ẩn được chèn vào chân trang các bài viết"},
		phases: []string{incident.Analysis, incident.Containment, incident.Eradication, incident.Recovery, incident.Review, incident.Closed, incident.Analysis}},
	{org: "P-CAIRANG", system: "một cửa", by: coordinatorEmail, ago: 6 * time.Hour,
		in: incident.Input{Title: "Máy chủ phần mềm một cửa điện tử bị mã hóa dữ liệu (mã độc tống tiền)", Category: incident.Ransomware, Severity: "critical",
			DetectionMethod: "Cán bộ bộ phận một cửa không mở được hồ sơ, màn hình hiện thông báo đòi tiền chuộc",
			Description:     "Tệp dữ liệu hồ sơ bị đổi đuôi .locked; tiếp nhận hồ sơ tạm chuyển sang giấy."},
		events: []string{"Đăng nhập RDP từ địa chỉ nước ngoài bằng tài khoản quản trị"},
		phases: []string{incident.Analysis, incident.Containment}},
}

// loadIncidents opens the demo's cases by their accounts and works each to
// where it stands, on a clock of its own so the phases have their times.
func loadIncidents(ctx context.Context, store *storage.Store, orgIDs map[string]int64) (IncidentsSummary, error) {
	var sum IncidentsSummary
	clocked := *store
	today := store.Now()
	var at time.Time
	clocked.SetClock(func() time.Time { return at })
	responder, err := demoActor(ctx, store, responderEmail)
	if err != nil {
		return sum, err
	}
	for _, dc := range demoCases {
		actor, err := demoActor(ctx, store, dc.by)
		if err != nil {
			return sum, err
		}
		systems, err := inventory.ListSystems(ctx, store, access.SystemActor("demo"), inventory.SystemFilter{OrgID: orgIDs[dc.org], Level: -1, Query: dc.system}, storage.First(1))
		if err != nil || len(systems.Items) == 0 {
			return sum, fmt.Errorf("demo incident: no system %q of %s: %v", dc.system, dc.org, err)
		}
		detected := today.Add(-dc.ago)
		at = detected.Add(30 * time.Minute)
		in := dc.in
		in.SystemIDs, in.DetectedAt = []int64{systems.Items[0].ID}, &detected
		if dc.responder {
			in.ResponderIDs = []int64{responder.UserID}
		}
		c, err := incident.Create(ctx, &clocked, actor, in)
		if err != nil {
			return sum, fmt.Errorf("demo incident %q: %w", in.Title, err)
		}
		for i, text := range dc.events {
			when := detected.Add(-time.Duration(len(dc.events)-i) * time.Hour)
			if _, err := incident.AddEvent(ctx, &clocked, actor, c.ID, incident.EventInput{OccurredAt: when, Source: "Nhật ký máy chủ", Description: text, SystemIDs: in.SystemIDs}); err != nil {
				return sum, fmt.Errorf("demo incident %d event: %w", c.ID, err)
			}
		}
		step := min(4*time.Hour, dc.ago/time.Duration(len(dc.phases)+1))
		for _, phase := range dc.phases {
			at = at.Add(step)
			if err := finishTasksBefore(ctx, &clocked, actor, c.ID, phase); err != nil {
				return sum, err
			}
			note := ""
			if phase == incident.Analysis && incident.PhaseIndex(c.Phase) > incident.PhaseIndex(incident.Analysis) {
				note = "Nội dung bị chèn xuất hiện lại: nguyên nhân chưa được khắc phục"
			}
			if c, err = incident.Move(ctx, &clocked, actor, c.ID, phase, note); err != nil {
				return sum, fmt.Errorf("demo incident %d to %s: %w", c.ID, phase, err)
			}
		}
		sum.Cases++
		if c.Open() {
			sum.Open++
		}
	}
	return sum, nil
}

// finishTasksBefore ticks the open tasks of the phases before phase, as the
// responders would have by the time the case moves on.
func finishTasksBefore(ctx context.Context, store *storage.Store, actor access.Actor, id int64, phase string) error {
	d, err := incident.Get(ctx, store, actor, id)
	if err != nil {
		return err
	}
	done := incident.TaskDone
	for _, t := range d.Tasks {
		if t.Status == incident.TaskOpen && incident.PhaseIndex(t.Phase) < incident.PhaseIndex(phase) {
			if _, err := incident.UpdateTask(ctx, store, actor, id, t.ID, incident.TaskChange{Status: &done}); err != nil {
				return fmt.Errorf("demo incident %d task %d: %w", id, t.ID, err)
			}
		}
	}
	return nil
}
