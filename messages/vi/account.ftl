# Quyền của người hiến máu và các lệnh chung — tiếng Việt.

edit-menu = Bạn muốn sửa thông tin nào?
choice-back = Quay lại
field-name = Họ tên
field-phone = Số điện thoại
field-birth-date = Ngày sinh
field-sex = Giới tính
field-weight = Cân nặng
field-blood-group = Nhóm máu
field-province = Tỉnh/thành phố
field-commune = Xã/phường
field-last-donation = Lần hiến gần nhất
updated = Đã cập nhật thông tin của bạn.

value-text = { $text }
value-kg = { $kg } kg
value-not-given = (chưa có)
value-unknown = chưa biết
value-skipped = (bỏ qua)
value-never = chưa hiến lần nào
value-donation-forgotten = { $kind }, không nhớ ngày
value-donation-month = { $kind }, tháng { $month }
value-donation = { $kind }, ngày { $date }
value-phone-verified = { $phone } (đã xác minh qua ứng dụng)
value-rh-unknown = { $abo } (Rh chưa biết)
value-abo-unknown = Rh{ $rh } (ABO chưa biết)

help =
    Các lệnh bạn có thể dùng bất cứ lúc nào (gõ cả chữ không dấu, không cần "/": help, hồ sơ, hủy…):
    /profile — xem toàn bộ thông tin chúng tôi lưu về bạn
    /edit — sửa thông tin
    /pause — tạm dừng tin nhắn không khẩn cấp; /resume — nhận lại
    /language — đổi ngôn ngữ (Tiếng Việt / English)
    /delete — rút lại đồng ý và xoá toàn bộ dữ liệu của bạn
    /cancel — dừng câu hỏi đang dở (thông tin đã nhập vẫn được giữ)
    /start — bắt đầu hoặc tiếp tục đăng ký; /dangky — đăng ký hiến máu
    /drives — điểm hiến máu gần bạn: đăng ký hoặc huỷ
    /checkin — mã điểm danh tại điểm hiến; /gave — báo bạn vừa hiến máu hôm nay
    /clubs — câu lạc bộ của bạn; /join <mã> — tham gia câu lạc bộ
    /donvi — trường, cơ quan của bạn; /giadinh — gia đình cùng hiến máu
    /callouts — lời kêu gọi khẩn cấp đang chờ bạn; /settings — tin khẩn, ban đêm, tạm hoãn
    Trưởng CLB: /newclub, /broadcast, /broadcasts, /leaderboard (xếp hạng câu lạc bộ), /dashboard (trang web)
    Điều phối viên: /record, /report (tiến độ; /report 2026: kế hoạch năm; /report Lê Chân: một đơn vị), /chitieu (chỉ tiêu năm), /dashboard (trang web), /newdrive, /newcampaign, /campaigns, /callout (kêu gọi khẩn cấp), /stock (tồn kho máu), /grant, /revoke
    Quản trị: /audit

profile =
    Thông tin chúng tôi lưu về bạn:
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
    • Gia đình hiến máu: { $family }
    • Lần hiến gần nhất: { $last }
    • { $eligibility }
    • Đồng ý điều khoản ngày { $consent_date } (phiên bản { $consent_version })
    • Tin nhắn: { $messages }
    • Tin khẩn cấp: { $urgent }; ban đêm: { $night }
    • Ngôn ngữ: { $language }
    Sửa: /edit. Xoá toàn bộ: /delete.
profile-none = Chúng tôi không lưu thông tin cá nhân nào của bạn. Gõ /start để đăng ký.
profile-status-registering = đang đăng ký (chưa xác nhận)
profile-status-donor = người hiến máu
profile-status-supporter = người ủng hộ
profile-messages-on = đang nhận
profile-urgent-on = đang nhận
profile-urgent-off = đã tắt (/settings để bật)
profile-messages-paused = đang tạm dừng (/resume để nhận lại)

language-prompt = Chọn ngôn ngữ / Choose your language:
choice-vietnamese = Tiếng Việt
choice-english = English
language-set = Đã chuyển sang tiếng Việt.

paused = Đã tạm dừng các tin nhắn không khẩn cấp. Gõ /resume để nhận lại.
resumed = Bạn sẽ nhận lại tin nhắn về các đợt hiến máu.
not-registered = Bạn chưa đăng ký nên chưa có thông tin nào. Gõ /start để bắt đầu.

delete-confirm = Bạn có chắc muốn rút lại đồng ý và xoá toàn bộ dữ liệu của mình không? Việc này không thể hoàn tác.
choice-delete-yes = Xoá toàn bộ dữ liệu
choice-delete-no = Không, giữ lại
deleted = Đã xoá toàn bộ dữ liệu của bạn. Cảm ơn bạn đã đồng hành! Nếu muốn quay lại, gõ /start bất cứ lúc nào.
delete-kept = Đã giữ nguyên thông tin của bạn.

cancelled = Đã dừng. Gõ /help để xem các lệnh.
cancelled-incomplete = Đã dừng. Thông tin bạn đã nhập vẫn được giữ; gõ /start để tiếp tục đăng ký.
nothing-to-cancel = Không có câu hỏi nào đang dở.
unknown-command = Mình không biết lệnh này. Gõ /help để xem các lệnh.
not-understood = Mình chưa hiểu ý bạn. Gõ /help để xem những gì mình giúp được.
welcome-back = Chào mừng { $name } quay lại!
text-only = Mình chỉ đọc được tin nhắn chữ. Bạn trả lời bằng chữ giúp nhé.
account-linked = Số điện thoại này đã được xác minh cho { $name } trên một ứng dụng khác, nên mình đã gộp hai tài khoản vào một hồ sơ: thông tin, lịch sử và lựa chọn của bạn dùng chung ở cả hai nơi.
slow-down = Bạn gửi tin nhắn nhanh quá. Mình tạm bỏ qua các tin tiếp theo trong một phút; sau đó bạn cứ tiếp tục nhé.
