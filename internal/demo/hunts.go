package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/storage"
)

// huntNote is what a responder writes when a hunt found nothing.
const huntNote = "Đã rà soát nhật ký truy cập web và hệ thống 90 ngày gần nhất, tài khoản quản trị, tiến trình và tệp mới tạo, đối chiếu dấu hiệu nhận biết (IOC) do Trung tâm Giám sát an toàn không gian mạng quốc gia cung cấp: không phát hiện dấu hiệu bị khai thác."

// huntLog is the evidence the responder attaches to the hunt they finish.
const huntLog = `Kết quả rà soát nhật ký — trích
- access.log 90 ngày: 0 yêu cầu chứa ${jndi:, 0 truy cập /manager/html từ IP ngoài
- Tài khoản quản trị: 3, khớp danh sách được phê duyệt
- Tiến trình, cron: không có mục lạ
- IOC NCSC (đợt tháng này): 0 trùng khớp
`

// hunts: the responder finishes a finding's hunt in their scope with its
// evidence, the coordinator one elsewhere — each the oldest whose finding
// is fixed, else the oldest; the rest stay open. Then the six-monthly
// schedule runs, as it did three weeks ago, and the responder has started
// the one on SKHCN's systems: given to them, part of the checklist ticked.
func (sim *simulation) hunts(ctx context.Context) error {
	sim.at = sim.today.Add(-26 * time.Hour)
	for _, email := range []string{responderEmail, coordinatorEmail} {
		actor := sim.actors[email]
		open, err := hunt.List(ctx, sim.store, actor, hunt.Filter{Status: hunt.StatusOpen, Origin: hunt.FromFinding}, storage.First(storage.MaxLimit), sim.at)
		if err != nil || len(open.Items) == 0 {
			return err
		}
		h := open.Items[0]
		for _, o := range open.Items {
			f, err := finding.Get(ctx, sim.store, actor, o.FindingID)
			if err != nil {
				return err
			}
			if !f.Status.Open() {
				h = o
				break
			}
		}
		if email == responderEmail {
			if _, err := hunt.Attach(ctx, sim.store, actor, h.ID, "ra-soat-nhat-ky.txt", []byte(huntLog)); err != nil {
				return fmt.Errorf("demo hunt %d evidence: %w", h.ID, err)
			}
		}
		if _, err := hunt.Finish(ctx, sim.store, actor, h.ID, hunt.Outcome{Result: hunt.NoneFound, Note: huntNote}); err != nil {
			return fmt.Errorf("demo hunt %d: %w", h.ID, err)
		}
	}
	sim.at = sim.today.AddDate(0, 0, -21)
	if _, err := hunt.Schedule(ctx, sim.store, sim.at); err != nil {
		return err
	}
	sim.at = sim.today.AddDate(0, 0, -6)
	responder := sim.actors[responderEmail]
	scheduled, err := hunt.List(ctx, sim.store, responder, hunt.Filter{Status: hunt.StatusOpen, Origin: hunt.FromSchedule}, storage.First(1), sim.at)
	if err != nil || len(scheduled.Items) == 0 {
		return err
	}
	h := scheduled.Items[0]
	done := true
	var ticks []hunt.ItemChange
	for i, it := range h.Checklist[:min(3, len(h.Checklist)-1)] {
		note := []string{"Đã xem nhật ký 90 ngày, không có yêu cầu bất thường", "Không có tệp lạ", ""}[i]
		ticks = append(ticks, hunt.ItemChange{Item: it.Item, Done: &done, Note: &note})
	}
	_, err = hunt.Update(ctx, sim.store, responder, h.ID, hunt.Change{AssigneeUserID: &responder.UserID, Checklist: ticks})
	sim.at = sim.today
	return err
}
