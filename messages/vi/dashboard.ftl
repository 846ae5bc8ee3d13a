# The coordinators' web dashboard (issue 18).

dashboard-link-sent = Liên kết đăng nhập bảng điều khiển (dùng một lần, trong 10 phút; đừng chuyển cho ai): { $url }
web-title = Bảng điều khiển · { $org }
web-overview = Tổng quan
web-sign-out = Đăng xuất
web-signed-out = Bạn đã đăng xuất. Gửi /dashboard trong chat khi muốn vào lại.
web-sign-in-needed = Gửi /dashboard cho bot trong chat để nhận liên kết đăng nhập (dùng một lần, trong 10 phút).
web-link-refused = Liên kết này không còn dùng được: đã dùng rồi, đã quá 10 phút, hoặc tài khoản không có quyền. Gửi /dashboard trong chat để nhận liên kết mới.
web-refused = Tài khoản của bạn không có quyền xem trang này.
web-form-refused = Biểu mẫu này đã hết hạn hoặc không đến từ bảng điều khiển. Tải lại trang rồi thử lại.
web-server-busy = Máy chủ đang bận hoặc lúc này không đọc được cơ sở dữ liệu. Không có gì bị mất; việc bạn vừa gửi có thể chưa được lưu: tải lại trang sau ít phút rồi xem lại.
web-kpi-units = Máu tiếp nhận (đơn vị)
web-kpi-people = Người được tuyên truyền, vận động
web-kpi-repeat = Hiến máu nhắc lại
web-kpi-donors = Người hiến máu
web-kpi-drives = Đợt hiến máu đã tổ chức
web-kpi-target = / { $target }
web-kpi-units-note = { $pct } chỉ tiêu · cùng kỳ năm trước: { $last }
web-kpi-donors-note = { $pct } dân số
web-kpi-drives-note = và { $fixed } ngày mở điểm hiến máu cố định
web-kpi-behind = chậm tiến độ
web-kpi-behind-why = đạt { $pct } chỉ tiêu khi đã qua { $year_pct } thời gian của năm
web-year-head = Kế hoạch năm
web-chart-title = Máu tiếp nhận cộng dồn theo tháng (đơn vị){ $target ->
        [none] {""}
       *[other] , so với chỉ tiêu { $target } đơn vị
    }
web-chart-done = Đã tiếp nhận
web-chart-pace = Chỉ tiêu chia đều theo tháng
web-by-campaign = Theo đợt vận động
web-by-unit = Theo đơn vị
web-by-province = Theo tỉnh, thành phố
web-chart-provinces = Máu tiếp nhận của { $n } tỉnh, thành phố (đơn vị máu), so với chỉ tiêu của từng nơi (vạch đậm)
web-chart-campaigns = Số lần hiến của { $n } đợt vận động gần nhất đã bắt đầu, so với chỉ tiêu (vạch đậm)
web-chart-units = Máu tiếp nhận của { $n } đơn vị (đơn vị máu), so với chỉ tiêu (vạch đậm)
web-chart-donations = Lần hiến
web-chart-target = Chỉ tiêu
web-drives-head = Điểm hiến máu 14 ngày tới
web-col-when = Thời gian
web-col-place = Địa điểm
web-col-signups = Đăng ký / sức chứa
web-drives-none = Không có điểm hiến máu nào trong 14 ngày tới.
web-nav-label = Các trang
web-nav-drives = Điểm hiến máu
web-nav-donations = Ghi nhận hiến máu
web-nav-callouts = Kêu gọi khẩn cấp
web-nav-broadcasts = Tin nhắn hàng loạt
web-nav-stock = Tồn kho máu
web-nav-audit = Nhật ký
web-not-found = Không có trang này (hoặc mục này đã bị xoá).
web-form-errors = Biểu mẫu còn chỗ chưa đúng: xem các dòng báo lỗi bên dưới. Chưa lưu gì.
web-month-head = Tháng { $month }/{ $year }
web-month-none = Tháng này chưa có điểm hiến máu nào.
web-weekday-short = { $n ->
        [1] T2
        [2] T3
        [3] T4
        [4] T5
        [5] T6
        [6] T7
       *[7] CN
    }
web-drives-table = Các điểm hiến máu trong tháng
web-col-province = Tỉnh/thành
web-col-campaign = Đợt vận động
web-no-campaign = Không thuộc đợt nào
web-new-drive = Tạo điểm hiến máu
web-field-commune = Xã/phường (có thể để trống)
web-field-date = Ngày
web-field-start = Bắt đầu
web-field-end = Kết thúc
web-field-capacity = Tiếp nhận tối đa (người)
web-field-target = Mục tiêu (đơn vị máu, có thể để trống)
web-save-drive = Lưu điểm hiến máu
web-drive-saved = Đã lưu điểm hiến máu. Người hiến thấy điểm này trong /drives.
web-drive-cancelled = Đã huỷ điểm hiến máu; { $n } người đã đăng ký được báo tin.
web-drive-is-cancelled = Điểm hiến máu này đã bị huỷ.
web-signups-head = Người đã đăng ký
web-signups-none = Chưa có ai đăng ký.
web-col-name = Họ tên
web-col-group = Nhóm máu
web-col-slot = Khung giờ
web-col-phone = Điện thoại
web-cancel-drive-head = Huỷ điểm hiến máu
web-cancel-drive-warn = { $n } người đã đăng ký sẽ được báo là điểm này bị huỷ. Không hoàn tác được.
web-cancel-drive = Huỷ điểm hiến máu này
web-find = Tìm
web-find-donor = Số điện thoại hoặc mã điểm danh của người hiến
web-record = Ghi nhận lần hiến
web-last-donation = Lần hiến gần nhất (xoá nếu ghi nhầm)
web-donation-recorded = Đã ghi nhận: đây là lần hiến thứ { $n } của người này.
web-donation-removed = Đã xoá lần hiến ghi nhầm (đã ghi vào nhật ký). Ghi lại cho đúng nếu cần.
web-open-callouts = Kêu gọi khẩn cấp đang mở
web-callouts-none = Không có lời kêu gọi nào.
web-col-callout = Cần
web-col-status = Tình trạng
web-col-pledged = Nhận lời
web-col-deadline = Thời hạn
web-new-callout = Gửi lời kêu gọi khẩn cấp
web-preview = Xem trước số người sẽ được hỏi
web-callout-started = Đã gửi lời kêu gọi: đợt 1 hỏi { $n } người. Trang này tự cập nhật khi có người nhận lời.
web-callout-changed = Đã lưu thay đổi của lời kêu gọi.
web-pledge-marked = Đã ghi kết quả.
web-deadline-at = Cần trước { $at }
web-callout-actions = Gia hạn, đóng hoặc huỷ
web-extend = Gia hạn
web-close-covered = Đóng: không cần thêm người
web-cancel-callout = Huỷ lời kêu gọi
web-pledged-of = Nhận lời { $pledged }/{ $enough } · đã hỏi { $asked }
web-donated-no-show = đã hiến { $donated } · không đến { $noshow }
web-waves-head = Theo đợt
web-col-asked = Đã hỏi
web-col-declined = Từ chối
web-col-silent = Chưa trả lời
web-pledges-head = Người nhận lời (bấm số để gọi)
web-pledges-none = Chưa có ai nhận lời.
web-col-code = Mã
web-col-outcome = Kết quả
web-pledge-donated = đã hiến ✓
web-pledge-no-show = không đến ✗
web-mark-donated = Đã hiến
web-mark-no-show = Không đến
web-broadcasts-none = Bạn chưa gửi tin nhắn hàng loạt nào.
web-broadcasts-hint = Soạn tin ở đây hoặc bằng /broadcast trong chat; theo dõi tiến độ và dừng khi cần.
web-everyone = Tất cả người hiến
web-broadcast-figures = { $recipients } người nhận · đã gửi { $sent } · đang chờ { $waiting } · không gửi được { $failed } · đã dừng { $cancelled }
web-broadcast-done = Đã gửi xong.
web-broadcast-stopped-state = Đã dừng.
web-stop = Dừng gửi
web-broadcast-stopped = Đã dừng: { $n } tin chưa gửi sẽ không được gửi.
web-broadcast-over = Tin này đã gửi xong, không còn gì để dừng.
web-col-units = Đơn vị
web-col-threshold = Ngưỡng báo động
web-stock-low = dưới ngưỡng
web-stock-ok = đủ
web-set-stock = Cập nhật tồn kho
web-save = Lưu
web-all-actions = Mọi hành động
web-col-account = Tài khoản
web-col-action = Hành động
web-col-target = Đối tượng
web-col-recipients = Số người nhận
web-from = Từ ngày
web-to = Đến ngày
web-filter = Lọc
web-csv = Tải CSV

# Leaders' pages and writing a broadcast on the web.
web-nav-clubs = Câu lạc bộ
web-clubs-none = Bạn chưa là trưởng câu lạc bộ nào (tạo bằng /newclub trong chat).
web-col-club = Câu lạc bộ
web-col-kind = Loại
web-col-members = Thành viên
web-col-invite = Mã mời
web-club-members = { $club }: { $count } thành viên
web-club-leader = trưởng CLB
web-members-search = Tìm thành viên theo tên hoặc số điện thoại
web-members-found = { $count } thành viên khớp “{ $query }”.
web-members-narrow = Chỉ hiện { $n } người đầu: gõ thêm để thu hẹp.
web-members-none-found = Không thấy thành viên nào khớp “{ $query }”.
web-members-all = Xem cả danh sách
web-go-to-page = Tới trang
web-go = Đi
web-drive-end-before-start = Giờ kết thúc ({ $end }) phải sau giờ bắt đầu ({ $start }).
web-drive-outside-campaign = Ngày { $date } nằm ngoài đợt "{ $campaign }" ({ $from } – { $to }): chọn một ngày trong đợt, hoặc đổi "Đợt vận động" ở trên (có thể chọn "Không thuộc đợt nào").
web-page-of = Trang { $page }/{ $pages }
web-prev-page = ‹ Trang trước
web-next-page = Trang sau ›
web-write-to-club = Gửi tin cho thành viên
web-compose = Soạn tin nhắn hàng loạt
web-field-audience = Gửi tới
web-field-text = Nội dung (tối đa { $max } ký tự)
web-preview-broadcast = Xem trước
web-error-audience = Chọn người nhận trong danh sách.
web-broadcast-seen-as = Người nhận sẽ thấy:
web-broadcast-reach = Sẽ gửi tới { $count } người. Hôm nay bạn còn { $left } lượt gửi.
web-broadcast-queued = Đang gửi tới { $n } người; tiến độ ở dưới.
web-broadcast-held = Đã nhận tin cho { $n } người; đang giờ nghỉ đêm nên tin sẽ đi khi hết giờ nghỉ.

# Delivery health on the overview.
web-delivery = Gửi tin nhắn (một giờ qua)
web-lane-urgent = Khẩn cấp
web-lane-reply = Trả lời
web-lane-notice = Nhắc lịch, cảm ơn
web-lane-bulk = Hàng loạt
web-col-lane = Loại tin
web-col-waiting = Đang chờ
web-col-due = Chờ lâu nhất
web-col-sent-hour = Đã gửi
web-col-failed = Không gửi được
web-col-retried = Phải thử lại (lỗi, hết giờ chờ)
web-col-throttled = Bị nền tảng giới hạn tốc độ (429)
web-due-minutes = { $n } phút
web-delivery-ok = Không có tin nào đến giờ gửi mà chờ quá { $n } phút.
web-delivery-late = Có tin đến giờ gửi đã chờ quá { $n } phút: kiểm tra kết nối{ $channels ->
    [none] {""}
   *[other] {" "}tới { $channels }
} (lệnh hienmau status).
web-delivery-late-off = Tin cho { $channels } đã chờ quá { $n } phút vì máy chủ này chưa bật kênh đó: tin sẽ được gửi khi kênh được cấu hình (lệnh hienmau check-config).
web-zns-quota = Zalo OA: hôm nay còn { $remaining }/{ $daily } tin mẫu.
web-backup-last = Sao lưu gần nhất: { $at } (đã kiểm tra).
web-backup-late = Sao lưu gần nhất: { $at }, đã quá hai kỳ sao lưu: xem nhật ký máy chủ và thư mục sao lưu.
web-backup-never = Đã lên lịch sao lưu nhưng chưa có bản sao lưu nào thành công: xem nhật ký máy chủ.
web-backup-none = Chưa lên lịch sao lưu (HIENMAU_BACKUP_DIR). Sao lưu bằng lệnh hienmau backup.
web-only = Phần này chỉ có trên bảng điều khiển web: gõ /dashboard để nhận đường dẫn đăng nhập.
web-nav-donors = Người hiến
web-donors-intro = Người hiến đã đăng ký theo tỉnh/thành và nhóm máu (màu càng đậm, càng nhiều người so với cột).
web-donors-group = Nhóm máu
web-donors-province = Tỉnh/thành
web-donors-total = Tổng
web-donors-unknown-group = Chưa rõ
web-donors-no-province = (chưa cho biết tỉnh)
web-donors-none = Chưa có người hiến nào đăng ký.
web-reserve-title = Câu lạc bộ dự bị cho nhóm Rh âm
web-reserve-intro = Mỗi ô: số thành viên câu lạc bộ dự bị / số người hiến Rh âm của nhóm đó trong tỉnh. Ô không có thành viên dự bị nào được đánh dấu: lời kêu gọi khẩn sẽ phải đi xa hơn.
web-reserve-cell = { $reserve } / { $donors }
web-reserve-uncovered = chưa có dự bị
web-lookup-title = Tra cứu một người hiến
web-lookup-phone = Số điện thoại
web-lookup-audited = Mỗi lần tra cứu được ghi vào nhật ký (người tra, lúc nào, người hiến nào).
web-lookup-bad-phone = Đây không phải số điện thoại Việt Nam (ví dụ 0912 345 678).
web-lookup-none = Không có người hiến đã đăng ký nào với số này.
web-lookup-several = { $count } người hiến cùng ghi số này (số tự khai không được kiểm chứng).
web-donor-card =
    • Trạng thái: { $status }
    • Họ tên: { $name }
    • Điện thoại: { $phone }
    • Ngày sinh: { $birth }
    • Giới tính: { $sex }
    • Cân nặng: { $weight }
    • Nhóm máu: { $blood }
    • Tỉnh/thành: { $province }
    • Xã/phường: { $commune }
    • Trường/cơ quan: { $unit }
    • Câu lạc bộ: { $clubs }
    • Lần hiến gần nhất ({ $last_source ->
        [record] theo hồ sơ
       *[declared] tự khai
    }): { $last }
    • { $eligibility }
    • Đã ghi nhận: { $verified } lần có xác nhận, { $all } lần tất cả
    • Đồng ý điều khoản ngày { $consent_date } (phiên bản { $consent_version })
    • Tin nhắn: { $messages }
    • Tin khẩn cấp: { $urgent }; ban đêm: { $night }
web-donor-donations = Các lần hiến đã ghi nhận
web-donor-donation = { $date }: { $kind }
web-donor-no-donations = Chưa ghi nhận lần hiến nào.
web-upload-calendar-title = Tải lên lịch vận động (tệp .toml hoặc .csv)
web-upload-calendar-hint = Cùng định dạng với lệnh hienmau campaigns import: các đợt vận động, điểm hiến máu và điểm hiến máu cố định. Tệp có lỗi thì không lưu gì, và mọi lỗi được nêu theo dòng. Đợt cùng tên, điểm cùng nơi và giờ thì được cập nhật.
web-upload-donations-title = Tải lên danh sách hiến máu của trung tâm (.csv)
web-upload-donations-hint = Cùng định dạng với lệnh hienmau donations import: dòng đầu là tên cột (Số điện thoại, Ngày hiến, Loại, có thể thêm Thể tích và Đơn vị; hoặc phone, date, kind, volume, unit), mỗi dòng một lần hiến. Tệp có lỗi thì không lưu gì, và mọi lỗi được nêu theo dòng. Lần hiến đã có thì không ghi hai lần.
web-upload-file = Tệp
web-upload-year = Năm
web-upload-send = Tải lên
web-upload-accept-early = Ghi nhận cả những lần hiến sớm hơn khoảng cách cho phép (đã kiểm tra các dòng được cảnh báo)
web-upload-none = Chưa chọn tệp nào (hoặc tệp trống). Không có gì được lưu.
web-upload-not-text = Tệp này không phải văn bản UTF-8: hãy lưu lại dưới dạng "CSV UTF-8"{ $kind ->
    [calendar] {" "}hoặc TOML
   *[other] {""}
} rồi tải lên lại. Không có gì được lưu.
web-upload-bad-year = Năm không hợp lệ (chỉ năm trước, năm nay hoặc tối đa 5 năm tới). Không có gì được lưu.
web-upload-unreadable = Không đọc được tệp tải lên (quá 4 MB, hoặc bị ngắt giữa chừng). Không có gì được lưu.
web-upload-rejected = { $count } lỗi trong { $file }: không có gì được lưu. Sửa rồi tải lên lại.
web-upload-error-line = Dòng { $line }: { $message }
web-calendar-imported = Đã lưu lịch: { $n } điểm hiến máu.
web-donations-imported = Đã ghi nhận { $n } lần hiến mới từ tệp.
web-callout-ended = Lời kêu gọi này đã kết thúc ({ $how }): không còn gia hạn, đóng hay huỷ được nữa.
web-callout-ended-before = Lời kêu gọi này đã kết thúc trước đó (từ tin nhắn hoặc vì hết hạn): không có gì thay đổi.
web-file-title = Tệp đang được ghi
web-file-writing = Tệp đã được kiểm tra, không có lỗi, và đang được ghi: { $done } / { $total } dòng. Bot vẫn trả lời tin nhắn trong lúc này; trang này tự cập nhật, có thể đóng lại mà không làm gián đoạn.
web-file-failed = Không ghi hết được tệp: đã ghi { $done } / { $total } dòng rồi dừng (xem nhật ký máy chủ). Tải lên lại tệp đó sẽ ghi phần còn thiếu, không ghi trùng.
web-file-back = Quay lại
web-edit-drive = Sửa điểm hiến máu
web-drive-slots-kept = Khung giờ đăng ký: { $slots }. Khung nào không còn nằm trong giờ mới thì bị bỏ, và người đã đăng ký khung đó được báo.
web-drive-edited = Đã lưu thay đổi. { $n ->
    [0] Không ai cần được báo.
   *[other] Đã báo { $n } người đã đăng ký.
}
staff-eligible-now = Có thể hiến máu ngay.
staff-eligible-from = Có thể hiến máu lần tiếp theo từ ngày { $date }.
staff-eligible-first-time = Chưa hiến lần nào: có thể tham gia đợt gần nhất, bác sĩ sẽ khám và tư vấn.
staff-eligible-date-forgotten = Không nhớ lần hiến gần nhất: bác sĩ tại điểm hiến sẽ hỏi và khám.
staff-eligible-weight = Chưa đủ cân nặng tối thiểu ({ $min } kg) theo thông tin đã khai.
