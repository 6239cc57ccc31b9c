package demo

import "github.com/khien/khien/internal/identity"

// The demo city is Cần Thơ as it is since 1 July 2025: local government has
// two levels (the city, then wards and communes; no districts), and the city
// has absorbed the provinces of Sóc Trăng and Hậu Giang. Since 1 March 2025
// the Department of Information and Communications is part of the
// Department of Science and Technology, which runs the city's data centre.

// area is where an organisation was before the merger: its e-mail and web
// domain, the people's committee that approved its security levels, and its
// telephone area code.
type area struct {
	domain, committee, phone string
}

var (
	canTho   = &area{"cantho.gov.vn", "Ủy ban nhân dân thành phố Cần Thơ", "0292"}
	hauGiang = &area{"haugiang.gov.vn", "Ủy ban nhân dân tỉnh Hậu Giang", "0293"}
	socTrang = &area{"soctrang.gov.vn", "Ủy ban nhân dân tỉnh Sóc Trăng", "0299"}
)

// agency is one organisation of the demo city.
type agency struct {
	code, name, kind, parent string
	slug                     string // for web domains and e-mail addresses
	special                  []systemSpec
	// area is where a former organisation was (nil: Cần Thơ).
	area *area
	// mergeInto is set on the organisations of before 1 July 2025: the
	// demo creates them with their systems and staff, then merges them into
	// today's organisation, so the merge history is real.
	mergeInto string
}

type systemSpec struct {
	name, kind, purpose             string
	level                           int
	personal, population, procedure bool
	hosting                         string
}

// agencies are today's city: its departments (sở, ban, ngành), then its
// wards and communes (a realistic subset of the 103), from the former Cần
// Thơ, Hậu Giang and Sóc Trăng areas in turn.
var agencies = []agency{
	{code: "VPUBND", name: "Văn phòng Ủy ban nhân dân thành phố", kind: identity.OrgDepartment, slug: "vpubnd", special: []systemSpec{
		{name: "Hệ thống thông tin báo cáo thành phố", kind: "internal_app", purpose: "Tổng hợp báo cáo kinh tế - xã hội", level: 3, hosting: "provincial_dc"},
	}},
	{code: "SKHCN", name: "Sở Khoa học và Công nghệ", kind: identity.OrgDepartment, slug: "skhcn", special: []systemSpec{
		{name: "Trung tâm dữ liệu thành phố", kind: "network", purpose: "Hạ tầng máy chủ dùng chung của thành phố", level: 4, hosting: "provincial_dc"},
		{name: "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", kind: "internal_app", purpose: "Kết nối, chia sẻ dữ liệu giữa các cơ quan", level: 3, personal: true, population: true, hosting: "provincial_dc"},
		{name: "Hệ thống thư điện tử công vụ thành phố", kind: "email", purpose: "Thư điện tử cho cán bộ, công chức", level: 3, personal: true, hosting: "provincial_dc"},
	}},
	{code: "TTPVHCC", name: "Trung tâm Phục vụ hành chính công thành phố", kind: identity.OrgUnit, parent: "VPUBND", slug: "dichvucong", special: []systemSpec{
		{name: "Hệ thống thông tin giải quyết thủ tục hành chính", kind: "internal_app", purpose: "Tiếp nhận, giải quyết hồ sơ thủ tục hành chính", level: 3, personal: true, population: true, procedure: true, hosting: "provincial_dc"},
	}},
	{code: "STC", name: "Sở Tài chính", kind: identity.OrgDepartment, slug: "stc", special: []systemSpec{
		{name: "Phần mềm quản lý ngân sách", kind: "internal_app", purpose: "Lập, phân bổ và theo dõi dự toán ngân sách", level: 3, hosting: "provincial_dc"},
	}},
	{code: "SNV", name: "Sở Nội vụ", kind: identity.OrgDepartment, slug: "snv", special: []systemSpec{
		{name: "Cơ sở dữ liệu cán bộ, công chức, viên chức", kind: "data_store", purpose: "Quản lý hồ sơ cán bộ, công chức", level: 3, personal: true, hosting: "provincial_dc"},
	}},
	{code: "STP", name: "Sở Tư pháp", kind: identity.OrgDepartment, slug: "stp", special: []systemSpec{
		{name: "Phần mềm đăng ký, quản lý hộ tịch", kind: "internal_app", purpose: "Đăng ký khai sinh, kết hôn, khai tử", level: 3, personal: true, population: true, procedure: true, hosting: "provider"},
	}},
	{code: "SYT", name: "Sở Y tế", kind: identity.OrgDepartment, slug: "syt", special: []systemSpec{
		{name: "Hệ thống hồ sơ sức khỏe điện tử", kind: "data_store", purpose: "Lưu trữ hồ sơ sức khỏe người dân", level: 3, personal: true, population: true, hosting: "cloud"},
	}},
	{code: "SGDDT", name: "Sở Giáo dục và Đào tạo", kind: identity.OrgDepartment, slug: "sgddt", special: []systemSpec{
		{name: "Cơ sở dữ liệu ngành giáo dục", kind: "data_store", purpose: "Dữ liệu học sinh, giáo viên, trường học", level: 2, personal: true, hosting: "provider"},
	}},
	{code: "SXD", name: "Sở Xây dựng", kind: identity.OrgDepartment, slug: "sxd"},
	{code: "SNNMT", name: "Sở Nông nghiệp và Môi trường", kind: identity.OrgDepartment, slug: "snnmt", special: []systemSpec{
		{name: "Cơ sở dữ liệu đất đai", kind: "data_store", purpose: "Hồ sơ địa chính, bản đồ đất đai", level: 3, personal: true, procedure: true, hosting: "provincial_dc"},
	}},
	{code: "SCT", name: "Sở Công Thương", kind: identity.OrgDepartment, slug: "sct"},
	{code: "SVHTTDL", name: "Sở Văn hóa, Thể thao và Du lịch", kind: identity.OrgDepartment, slug: "svhttdl"},
	{code: "SDTTG", name: "Sở Dân tộc và Tôn giáo", kind: identity.OrgDepartment, slug: "sdttg"},
	{code: "TTTP", name: "Thanh tra thành phố", kind: identity.OrgDepartment, slug: "thanhtra"},
	{code: "BQLKCX", name: "Ban Quản lý các khu chế xuất và công nghiệp thành phố", kind: identity.OrgDepartment, slug: "bqlkcx"},

	ward("P-NINHKIEU", "phường Ninh Kiều", "ninhkieu"), ward("P-CAIKHE", "phường Cái Khế", "caikhe"),
	ward("P-TANAN", "phường Tân An", "tanan"), ward("P-ANBINH", "phường An Bình", "anbinh"),
	ward("P-BINHTHUY", "phường Bình Thủy", "binhthuy"), ward("P-CAIRANG", "phường Cái Răng", "cairang"),
	ward("P-HUNGPHU", "phường Hưng Phú", "hungphu"), ward("P-OMON", "phường Ô Môn", "omon"),
	ward("P-THOTNOT", "phường Thốt Nốt", "thotnot"), ward("X-PHONGDIEN", "xã Phong Điền", "phongdien"),
	ward("X-THOILAI", "xã Thới Lai", "thoilai"), ward("X-CODO", "xã Cờ Đỏ", "codo"),
	ward("X-VINHTHANH", "xã Vĩnh Thạnh", "vinhthanh"),
	ward("P-VITHANH", "phường Vị Thanh", "vithanh"), ward("P-VITAN", "phường Vị Tân", "vitan"),
	ward("P-NGABAY", "phường Ngã Bảy", "ngabay"), ward("P-LONGMY", "phường Long Mỹ", "longmy"),
	ward("X-CHAUTHANH", "xã Châu Thành", "chauthanh"), ward("X-PHUNGHIEP", "xã Phụng Hiệp", "phunghiep"),
	ward("X-VITHUY", "xã Vị Thủy", "vithuy"),
	ward("P-PHULOI", "phường Phú Lợi", "phuloi"), ward("P-SOCTRANG", "phường Sóc Trăng", "soctrang"),
	ward("P-MYXUYEN", "phường Mỹ Xuyên", "myxuyen"), ward("P-VINHCHAU", "phường Vĩnh Châu", "vinhchau"),
	ward("X-KESACH", "xã Kế Sách", "kesach"), ward("X-TRANDE", "xã Trần Đề", "trande"),

	// Before 1 July 2025: departments of Hậu Giang and Sóc Trăng, and
	// districts (quận, huyện, thành phố thuộc tỉnh), merged into today's.
	former("HG-VPUBND", "Văn phòng Ủy ban nhân dân tỉnh Hậu Giang", identity.OrgDepartment, "vpubnd", hauGiang, "VPUBND"),
	former("HG-SKHCN", "Sở Khoa học và Công nghệ tỉnh Hậu Giang", identity.OrgDepartment, "skhcn", hauGiang, "SKHCN",
		systemSpec{name: "Trung tâm dữ liệu tỉnh Hậu Giang", kind: "network", purpose: "Hạ tầng máy chủ của tỉnh Hậu Giang (đang chuyển về Trung tâm dữ liệu thành phố)", level: 3, hosting: "provincial_dc"}),
	former("HG-SYT", "Sở Y tế tỉnh Hậu Giang", identity.OrgDepartment, "syt", hauGiang, "SYT",
		systemSpec{name: "Phần mềm quản lý tiêm chủng tỉnh Hậu Giang", kind: "internal_app", purpose: "Theo dõi tiêm chủng mở rộng", level: 2, personal: true, hosting: "provider"}),
	former("ST-VPUBND", "Văn phòng Ủy ban nhân dân tỉnh Sóc Trăng", identity.OrgDepartment, "vpubnd", socTrang, "VPUBND"),
	former("ST-SKHCN", "Sở Khoa học và Công nghệ tỉnh Sóc Trăng", identity.OrgDepartment, "skhcn", socTrang, "SKHCN",
		systemSpec{name: "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Sóc Trăng", kind: "internal_app", purpose: "Tiếp nhận hồ sơ của tỉnh Sóc Trăng trước sáp nhập", level: 3, personal: true, population: true, procedure: true, hosting: "provincial_dc"}),
	former("ST-SGDDT", "Sở Giáo dục và Đào tạo tỉnh Sóc Trăng", identity.OrgDepartment, "sgddt", socTrang, "SGDDT"),
	former("Q-NINHKIEU", "Ủy ban nhân dân quận Ninh Kiều", identity.OrgDistrict, "quanninhkieu", canTho, "P-NINHKIEU"),
	former("Q-CAIRANG", "Ủy ban nhân dân quận Cái Răng", identity.OrgDistrict, "quancairang", canTho, "P-CAIRANG"),
	former("H-PHONGDIEN", "Ủy ban nhân dân huyện Phong Điền", identity.OrgDistrict, "huyenphongdien", canTho, "X-PHONGDIEN"),
	former("TP-VITHANH", "Ủy ban nhân dân thành phố Vị Thanh", identity.OrgDistrict, "vithanh", hauGiang, "P-VITHANH"),
	former("H-CHAUTHANH", "Ủy ban nhân dân huyện Châu Thành", identity.OrgDistrict, "chauthanh", hauGiang, "X-CHAUTHANH"),
	former("TP-SOCTRANG", "Ủy ban nhân dân thành phố Sóc Trăng", identity.OrgDistrict, "tpsoctrang", socTrang, "P-SOCTRANG"),
	former("H-KESACH", "Ủy ban nhân dân huyện Kế Sách", identity.OrgDistrict, "kesach", socTrang, "X-KESACH"),
}

// ward is a ward's or commune's people's committee, directly under the city.
func ward(code, place, slug string) agency {
	return agency{code: code, name: "Ủy ban nhân dân " + place, kind: identity.OrgCommune, slug: slug}
}

// former is an organisation of before 1 July 2025, merged into into.
func former(code, name, kind, slug string, where *area, into string, special ...systemSpec) agency {
	return agency{code: code, name: name, kind: kind, slug: slug, area: where, mergeInto: into, special: special}
}

// Names: family, middle and given names as common in the Mekong Delta,
// with the Khmer family names (Thạch, Sơn, Danh) of Sóc Trăng.
var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Dương", "Lâm", "Ngô", "Trương", "Lý", "Phan", "Thạch", "Sơn", "Danh", "Châu"}
	middles  = []string{"Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Quốc", "Thu", "Hữu", "Kim", "Gia", "Bảo", "Thùy", "Đức", "Phương", "Thị Ngọc", "Văn Hoàng"}
	givens   = []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hải", "Hạnh", "Khoa", "Linh", "Lộc", "Mai", "Nam", "Phúc", "Quân", "Tâm", "Trang", "Tuấn", "Vy", "Yến", "Thảo",
		"Khánh", "Nhi", "Hiếu", "Trí", "Duy", "Huy", "Ngân", "Thư", "Phát", "Tài", "Kiệt", "Hân", "Như", "Toàn", "Sương", "Đạt"}
)
