//! The realism model of `sipas demo`: profiles, effects and answer shares.

/// How far back the responses go.
pub(super) const YEARS: u32 = 3;

// ---------------------------------------------------------------------------------------------
// The model's parameters
// ---------------------------------------------------------------------------------------------

/// Per unit: traffic (relative number of responses), base level (latent scale), extra yearly
/// trend, share of respondents who made a phản ánh, kiến nghị. Units of the default tree that are
/// not listed get neutral values.
pub(super) const PROFILES: &[(&str, f64, f64, f64, f64)] = &[
    ("tuy-phuoc-mc", 3.0, 0.10, 0.00, 0.24),
    ("tt-tuy-phuoc", 1.6, 0.35, 0.00, 0.20),
    ("tt-dieu-tri", 1.4, 0.05, 0.00, 0.19),
    ("phuoc-thang", 1.0, -0.40, 0.05, 0.22),
    ("phuoc-hung", 0.9, 0.00, 0.00, 0.17),
    ("phuoc-quang", 0.8, -0.40, 0.20, 0.16),
    ("phuoc-hoa", 0.9, 0.20, 0.00, 0.18),
    ("phuoc-son", 1.2, 0.50, 0.00, 0.21),
    ("phuoc-hiep", 0.8, -0.15, 0.00, 0.15),
    ("phuoc-loc", 1.0, 0.25, 0.00, 0.18),
    ("phuoc-nghia", 0.7, -0.45, -0.12, 0.23),
    ("phuoc-thuan", 1.1, 0.10, 0.00, 0.20),
    ("phuoc-an", 1.0, 0.20, 0.00, 0.17),
    ("phuoc-thanh", 0.9, -0.10, 0.00, 0.19),
];

/// Latent level of an average respondent at an average unit three years ago.
pub(super) const BASE_LEVEL: f64 = 1.7;
/// Improvement of the latent level per year, for every unit.
pub(super) const TREND_PER_YEAR: f64 = 0.16;
/// Standard deviation of the respondent effect θ.
pub(super) const RESPONDENT_SD: f64 = 0.9;
/// Scale of the item-level logistic noise.
pub(super) const ITEM_NOISE: f64 = 0.75;
/// Cut points of the latent item value: below the first is 1, above the last is 5. "Satisfied"
/// (4 or 5) means at least 0.
pub(super) const THRESHOLDS: [f64; 4] = [-3.2, -1.9, 0.0, 2.3];

/// Latent effect of each element (by code, across forms).
pub(super) const ELEMENT_EFFECTS: &[(&str, f64)] = &[
    // Service form (and the household form's service part).
    ("tiep_can", 0.0),
    ("tthc", 0.45),
    ("cong_chuc", 0.15),
    ("ket_qua", 0.40),
    ("pakn", -0.6),
    // Household form, policy part.
    ("giai_trinh", -0.10),
    ("tham_gia", -0.50),
    ("chat_luong", 0.10),
    ("tac_dong", 0.20),
    // Delegates' survey.
    ("chi_dao", 0.20),
    ("the_che", -0.10),
    ("bo_may", 0.0),
    ("cong_vu", 0.10),
    ("tai_chinh", 0.10),
    ("chinh_quyen_so", -0.40),
];

/// Latent effect of single items, on top of their element's.
pub(super) const ITEM_EFFECTS: &[(&str, f64)] = &[
    ("TC1", -0.10),
    ("TC3", 0.10),
    ("TC4", -0.30),
    ("TT4", -0.20),
    ("CC1", 0.10),
    ("CC3", -0.20),
    ("KQ1", -0.15),
    ("KQ3", 0.10),
    ("PA3", -0.25),
];

/// Latent effect of the channel: kiosk, phone, web, paper.
pub(super) const CHANNEL_EFFECTS: [f64; 4] = [0.0, -0.05, -0.30, 0.20];

/// Latent effect of the procedure domain (`linh_vuc`).
pub(super) const DOMAIN_EFFECTS: &[(&str, f64)] = &[
    ("dat_dai", -0.35),
    ("xay_dung", -0.20),
    ("ho_tich", 0.15),
    ("chung_thuc", 0.25),
];

/// Share of respondents answering an optional respondent question, per channel (kiosk, phone,
/// web, paper).
pub(super) const DEMOGRAPHIC_RATE: [f64; 4] = [0.92, 0.97, 0.88, 0.82];
/// Share of optional items left blank, per channel.
pub(super) const ITEM_SKIP_RATE: [f64; 4] = [0.01, 0.005, 0.015, 0.03];
/// Share of respondents who answer the expectation block, and of its items they answer.
pub(super) const EXPECTATION_RATE: f64 = 0.33;
pub(super) const EXPECTATION_ITEM_RATE: f64 = 0.9;
/// How much each expectation area is wanted (latent shift towards "Rất nhiều").
pub(super) const EXPECTATION_LEAN: &[(&str, f64)] = &[
    ("KV1", -0.20),
    ("KV2", 0.0),
    ("KV3", 0.10),
    ("KV4", -0.10),
    ("KV5", 0.50),
    ("KV6", 0.10),
    ("KV7", 0.60),
];
/// Share of respondents leaving a comment: satisfied and dissatisfied ones.
pub(super) const COMMENT_RATE: f64 = 0.035;
pub(super) const COMMENT_RATE_UNHAPPY: f64 = 0.12;

pub(super) const PRAISE: &[&str] = &[
    "Cán bộ nhiệt tình, hướng dẫn chu đáo.",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn.",
    "Cảm ơn bộ phận một cửa đã hỗ trợ tận tình.",
    "Nơi làm việc sạch sẽ, thoáng mát.",
    "Rất hài lòng với thái độ phục vụ.",
];
pub(super) const SUGGESTIONS: &[&str] = &[
    "Nên bố trí thêm ghế ngồi chờ.",
    "Đề nghị có thêm máy lấy số thứ tự.",
    "Mong được hướng dẫn nộp hồ sơ trực tuyến.",
    "Nên niêm yết phí, lệ phí rõ ràng hơn.",
    "Cần mở rộng chỗ để xe.",
];
pub(super) const COMPLAINTS: &[&str] = &[
    "Thời gian chờ đợi còn lâu.",
    "Hồ sơ đất đai giải quyết chậm, phải đi lại nhiều lần.",
    "Cán bộ có lúc chưa niềm nở.",
    "Trả kết quả trễ hẹn mà không được báo trước.",
    "Hướng dẫn chưa rõ, phải bổ sung hồ sơ nhiều lần.",
];

/// Option shares of respondent questions, by question code. Options of a form that are not
/// listed get a small share; questions not listed are uniform.
pub(super) fn choice_shares(code: &str) -> Option<&'static [(&'static str, f64)]> {
    Some(match code {
        "gioi_tinh" => &[("nam", 0.52), ("nu", 0.47), ("khac", 0.01)],
        "nhom_tuoi" => &[
            ("18_24", 0.08),
            ("25_34", 0.22),
            ("35_49", 0.34),
            ("50_60", 0.22),
            ("tren_60", 0.14),
        ],
        "dan_toc" => &[("kinh", 0.97), ("khac", 0.03)],
        "hoc_van" => &[
            ("tieu_hoc", 0.12),
            ("thcs", 0.25),
            ("thpt", 0.30),
            ("nghe_cd", 0.13),
            ("dai_hoc", 0.17),
            ("khac", 0.03),
        ],
        "nghe_nghiep" => &[
            ("nghi_huu", 0.08),
            ("khong_di_lam", 0.07),
            ("tu_do", 0.42),
            ("sinh_vien", 0.04),
            ("tu_nhan", 0.23),
            ("cong", 0.11),
            ("khac", 0.05),
        ],
        "da_giai_quyet_tthc" => &[("co", 0.55), ("khong", 0.45)],
        "nhom" => &[
            ("dai_bieu_hdnd", 0.45),
            ("lanh_dao_huyen", 0.25),
            ("lanh_dao_xa", 0.30),
        ],
        _ => return None,
    })
}

/// Procedure domains at the district office and at the communes.
pub(super) const DOMAINS_OFFICE: &[(&str, f64)] = &[
    ("dat_dai", 0.36),
    ("ho_tich", 0.06),
    ("chung_thuc", 0.08),
    ("xay_dung", 0.13),
    ("kinh_doanh", 0.16),
    ("lao_dong_xa_hoi", 0.13),
    ("khac", 0.08),
];
pub(super) const DOMAINS_COMMUNE: &[(&str, f64)] = &[
    ("dat_dai", 0.15),
    ("ho_tich", 0.31),
    ("chung_thuc", 0.30),
    ("xay_dung", 0.03),
    ("kinh_doanh", 0.02),
    ("lao_dong_xa_hoi", 0.12),
    ("khac", 0.07),
];

/// Occupation shares for the young (18–24) and the old (over 60); other ages use the general
/// shares of [`choice_shares`].
pub(super) const OCCUPATIONS_YOUNG: &[(&str, f64)] = &[
    ("khong_di_lam", 0.08),
    ("tu_do", 0.25),
    ("sinh_vien", 0.40),
    ("tu_nhan", 0.20),
    ("cong", 0.04),
    ("khac", 0.03),
];
pub(super) const OCCUPATIONS_OLD: &[(&str, f64)] = &[
    ("nghi_huu", 0.50),
    ("khong_di_lam", 0.15),
    ("tu_do", 0.30),
    ("khac", 0.05),
];

pub(super) fn lookup(table: &[(&str, f64)], code: &str) -> Option<f64> {
    table.iter().find(|(c, _)| *c == code).map(|(_, v)| *v)
}

// ---------------------------------------------------------------------------------------------
// Units and time
// ---------------------------------------------------------------------------------------------
