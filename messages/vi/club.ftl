# Câu lạc bộ, vai trò và thông báo — tiếng Việt.

role-admin = quản trị viên
role-coordinator = điều phối viên
role-leader = trưởng CLB (được tạo CLB)

club-kind-university = CLB trường học
club-kind-workplace = CLB cơ quan, doanh nghiệp
club-kind-community = CLB cộng đồng, khu dân cư
club-kind-reserve = Đội hiến máu dự bị / nhóm máu hiếm

audience-club = thành viên { $name }
audience-province = người hiến máu ở { $name }
audience-blood = người hiến máu nhóm { $group }
audience-all = tất cả người hiến máu

club-invite = Mã mời: { $code } (thành viên gửi /join { $code } để tham gia)
club-invite-with-link =
    Mã mời: { $code } (thành viên gửi /join { $code } để tham gia)
    Đường dẫn Telegram: { $link }
club-needs-registration = Bạn cần hoàn tất đăng ký trước (gõ /dangky), sau đó mới tham gia hoặc tạo câu lạc bộ được.
join-bad-code = Mã mời gồm 6 chữ và số, ví dụ K7QX2M. Bạn kiểm tra lại giúp mình nhé.
join-after-registration = Để tham gia câu lạc bộ, bạn cần đăng ký trước. Mình sẽ tự thêm bạn vào câu lạc bộ ngay khi đăng ký xong.
ask-join-code = Bạn gửi mã mời của câu lạc bộ (6 ký tự, do trưởng CLB cung cấp).
join-no-such-code = Không có câu lạc bộ nào với mã này. Bạn hỏi lại trưởng CLB giúp mình nhé.
joined = Bạn đã tham gia { $name }. Bạn sẽ nhận thông báo của câu lạc bộ; tắt thông báo hoặc rời CLB bằng /clubs.
joined-already = Bạn đã là thành viên của { $name }.

clubs-none = Bạn chưa tham gia câu lạc bộ nào. Có mã mời thì gửi /join kèm mã, ví dụ /join K7QX2M.
clubs-list =
    Câu lạc bộ của bạn (★ bạn là trưởng CLB, 🔕 đã tắt thông báo):
    { $clubs }
choose-club = Chọn một câu lạc bộ để xem:
club-gone = Bạn không còn ở câu lạc bộ này.
club-card =
    { $name }
    • Loại: { $kind }
    • Thành viên: { $members }
    • Vai trò của bạn: { $role }
    • Thông báo: { $muted }
club-role-leader = trưởng CLB
club-role-member = thành viên
club-muted-yes = đã tắt
club-muted-no = đang nhận
choice-club-broadcast = Gửi thông báo
choice-club-members = Thành viên
choice-club-invite = Mã mời
choice-club-mute = Tắt thông báo
choice-club-unmute = Bật thông báo
choice-club-leave = Rời CLB
club-left = Bạn đã rời { $name }.
club-last-leader = Bạn là trưởng CLB duy nhất nên chưa thể rời. Hãy nhờ điều phối viên giao CLB cho người khác trước.
club-muted-now = Đã tắt thông báo của { $name }. Bạn vẫn là thành viên.
club-unmuted-now = Đã bật lại thông báo của { $name }.

members-list =
    Thành viên { $club }{ $query ->
        [none] {""}
       *[other] {" "}khớp “{ $query }”
    }: { $count } người (trang { $page }/{ $pages })
    { $members }
members-none-found = Không thấy thành viên nào của { $club } khớp “{ $query }”. Gõ tên hoặc số điện thoại khác để tìm, "tất cả" để xem cả danh sách, /cancel để thôi.
members-pick-number = Muốn xoá ai khỏi CLB thì gửi số thứ tự của người đó; gõ tên hoặc số điện thoại để tìm, "trước" để quay lại, "trang 5" để tới trang 5; /cancel để thôi.
members-pick-number-or-next = Muốn xoá ai khỏi CLB thì gửi số thứ tự của người đó; gõ tên hoặc số điện thoại để tìm, "tiếp" để xem trang sau, "trước" để quay lại, "trang 5" để tới trang 5; /cancel để thôi.
member-remove-confirm = Xoá thành viên số { $number } khỏi { $club }?
member-remove-confirm-named = Xoá { $name } (số { $number }) khỏi { $club }?
choice-remove = Xoá khỏi CLB
choice-keep = Giữ lại
member-removed = Đã xoá { $name } khỏi câu lạc bộ.
member-kept = Không xoá ai.

ask-club-name = Tên câu lạc bộ là gì? (ví dụ: CLB Hiến máu tình nguyện ĐH Hàng Hải)
error-club-name = Tên câu lạc bộ cần từ 3 đến 80 ký tự và có chữ cái.
ask-club-kind = Câu lạc bộ thuộc loại nào?
club-created =
    Đã tạo { $name }. Bạn là trưởng CLB.
    { $invite }
    Gửi thông báo cho thành viên: /broadcast.

not-allowed = Bạn không có quyền dùng lệnh này. Nếu cần, hãy liên hệ điều phối viên của Hội Chữ thập đỏ.

broadcast-no-club = Bạn chưa là trưởng của câu lạc bộ nào nên chưa gửi thông báo được.
ask-audience = Gửi thông báo tới ai?
choice-audience-province = Người hiến máu của một tỉnh/thành
choice-audience-blood = Người hiến máu của một nhóm máu
choice-audience-all = Tất cả người hiến máu
ask-audience-province = Tỉnh/thành phố nào?
error-province-ambiguous = Tên này khớp với nhiều tỉnh/thành. Bạn gõ đầy đủ hơn giúp mình.
ask-audience-blood = Nhóm máu nào?
ask-announcement = Nội dung thông báo gửi { $audience }? (tối đa { $max } ký tự; /cancel để thôi)
error-announcement-length = Thông báo cần có nội dung và không quá { $max } ký tự (bạn gửi { $count }).
broadcast-preview =
    Xem trước thông báo gửi { $audience }:
    ————
    { $text }
    ————
    Sẽ gửi tới { $count } người. Hôm nay bạn còn { $left } lượt gửi.
choice-send = Gửi
choice-rewrite = Viết lại
choice-drop = Huỷ
broadcast-dropped = Đã huỷ, chưa gửi gì.
broadcast-nobody = Hiện chưa có ai để gửi (thành viên đã tắt thông báo, tạm dừng tin nhắn hoặc chưa đăng ký xong). Chưa gửi gì.
broadcast-cap = Hôm nay bạn đã gửi đủ { $cap } thông báo, mức tối đa một ngày. Ngày mai bạn gửi tiếp được.
broadcast-queued = Đang gửi thông báo #{ $id } tới { $count } người. Mình sẽ báo tiến độ và kết quả; xem hoặc dừng bằng /broadcasts.
broadcast-held = Bây giờ là giờ nghỉ đêm: thông báo sẽ được gửi từ { $time } sáng mai.
broadcasts-none = Bạn chưa gửi thông báo nào.
broadcast-line = #{ $id } { $audience } — { $status }: đã gửi { $sent }/{ $recipients }, lỗi { $failed }, không liên lạc được { $unreachable }, đã dừng { $cancelled }, đang chờ { $waiting }{ $uncertain ->
        [0] {""}
       *[other] , không chắc đã đến { $uncertain } (đang gửi thì bot dừng; không gửi lại để khỏi trùng)
    }.
broadcast-status-running = đang gửi
broadcast-status-done = đã xong
broadcast-status-cancelled = đã dừng
broadcasts-stop-ask = Muốn dừng thông báo nào đang gửi?
choice-stop-broadcast = Dừng #{ $id }
broadcast-cancelled = Đã dừng thông báo #{ $id }: { $stopped } tin chưa gửi sẽ không gửi nữa.
broadcast-over = Thông báo #{ $id } đã gửi xong hoặc đã dừng từ trước.
broadcast-progress = Tiến độ thông báo #{ $id } ({ $audience }): đã gửi { $sent }/{ $recipients }, lỗi { $failed }, không liên lạc được { $unreachable }, đang chờ { $waiting }{ $uncertain ->
        [0] {""}
       *[other] , không chắc đã đến { $uncertain } (đang gửi thì bot dừng; không gửi lại để khỏi trùng)
    }.
broadcast-summary = Kết quả thông báo #{ $id } ({ $audience }): đã gửi { $sent }/{ $recipients }, lỗi { $failed }, không liên lạc được (đã chặn bot) { $unreachable }, đã dừng { $cancelled }{ $uncertain ->
        [0] {""}
       *[other] , không chắc đã đến { $uncertain } (đang gửi thì bot dừng; không gửi lại để khỏi trùng)
    }.
broadcast-from-club =
    📣 Thông báo từ { $club }:

    { $text }

    (Tắt thông báo của CLB này: /clubs)
broadcast-from-org =
    📣 Thông báo từ { $org }:

    { $text }

    (Tạm dừng tin nhắn: /pause)

grant-usage = Cách dùng: /grant <vai trò> <số điện thoại>, ví dụ /grant coordinator 0912345678. Vai trò: admin, coordinator, leader.
revoke-usage = Cách dùng: /revoke <vai trò> <số điện thoại>, ví dụ /revoke leader 0912345678.
role-in-province = { $role } — { $province }
role-granted = Đã cấp vai trò { $role }.
role-granted-notice = Bạn vừa được cấp vai trò { $role } trên hienmau. Gõ /help để xem các lệnh mới.
role-revoked-notice = Vai trò { $role } của bạn trên hienmau đã được thu hồi. Bạn vẫn là thành viên các câu lạc bộ của mình.
role-already = Người này đã có vai trò { $role }.
role-revoked = Đã thu hồi vai trò { $role }.
role-not-held = Người này không có vai trò { $role }.
role-no-such-donor = Không có người hiến máu nào đã đăng ký với số điện thoại này.
role-several-donors = Có nhiều người đăng ký cùng số điện thoại này; không thể cấp quyền qua chat. Hãy dùng lệnh `hienmau admin grant` trên máy chủ.
role-last-admin = Đây là quản trị viên cuối cùng; hãy cấp quyền quản trị cho người khác trước.

audit-empty = Nhật ký chưa có gì.
audit-list =
    Nhật ký thao tác gần đây (thời gian · tài khoản · thao tác · đối tượng · số người nhận):
    { $lines }
audit-broadcast-cancel = huỷ thông báo
audit-broadcast-send = gửi thông báo
audit-callout-start = tạo lời kêu gọi khẩn cấp
audit-callout-wave = hỏi một đợt người hiến
audit-callout-fulfilled = đóng lời kêu gọi
audit-callout-cancelled = huỷ lời kêu gọi
audit-callout-expired = lời kêu gọi hết hạn
audit-callout-extend = gia hạn lời kêu gọi
audit-callout-donated = người nhận lời đã hiến
audit-callout-no-show = người nhận lời không đến
audit-campaign-create = tạo đợt vận động
audit-campaign-edit = sửa đợt vận động
audit-club-create = tạo câu lạc bộ
audit-club-remove-member = bỏ thành viên khỏi CLB
audit-donation-record = ghi nhận lần hiến
audit-donation-remove = xoá lần hiến ghi nhầm
audit-drive-cancel = huỷ điểm hiến
audit-drive-create = tạo điểm hiến
audit-drive-edit = sửa điểm hiến
audit-role-grant = cấp vai trò
audit-role-revoke = thu hồi vai trò
audit-stock-alert = báo tồn kho thấp
audit-donor-lookup = tra cứu người hiến theo số điện thoại
audit-calendar-import = tải lên lịch vận động
audit-donations-import = tải lên tệp hiến máu của trung tâm
audit-honours-export = xuất danh sách tôn vinh
audit-plan-target-set = đặt chỉ tiêu năm
audit-stock-set = cập nhật tồn kho

# The contest among donor clubs (/leaderboard), for leaders and coordinators.
leaderboard =
    🏆 Bảng xếp hạng câu lạc bộ năm { $year } ({ $clubs } câu lạc bộ), theo số lần hiến của thành viên:
    { $lines }
    (mới: thành viên hiến lần đầu trong năm; nhắc lại: phần trăm số lần hiến của người đã từng hiến)
leaderboard-line = { $rank }. { $mine ->
        [yes] ⭐ {""}
       *[no] {""}
    }{ $name } — { $donations } lần hiến, { $new } người mới, nhắc lại { $repeat ->
        [none] —
       *[other] { $repeat }%
    } · { $members } thành viên
leaderboard-empty = Chưa có câu lạc bộ nào.

# Families who give blood together (/giadinh), opt-in, for the yearly honours.
family-none =
    Gia đình bạn có nhiều người cùng hiến máu? Tham gia để được ghi danh "Gia đình hiến máu tiêu biểu" khi tôn vinh hằng năm.
    Bấm Tạo gia đình để có mã, rồi gửi mã cho người thân; hoặc gõ mã người thân đã gửi bạn. Tên của bạn chỉ hiện trong danh sách tôn vinh của Ban Chỉ đạo.
family-show = Gia đình của bạn: { $members } người đã tham gia. Mã gia đình: { $code } — người thân gõ /giadinh { $code } để vào cùng.
family-bad-code = Mình không thấy gia đình nào có mã này. Mã có 6 ký tự, ví dụ ABC-DEF.
family-left = Bạn đã rời gia đình. Gõ /giadinh khi muốn tham gia lại.
choice-family-create = Tạo gia đình
choice-family-leave = Rời gia đình
