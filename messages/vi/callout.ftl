# Lời kêu gọi hiến máu khẩn cấp (issue 6).

callout-line = { $group } · { $component } · { $units } đơn vị · { $hospital } ({ $province }) · hạn { $deadline }
callout-ask-group = Nhóm máu của bệnh nhân? (ví dụ O-, AB+; phải rõ cả ABO và Rh)
callout-ask-component = Cần thành phần nào?
callout-ask-units = Cần bao nhiêu đơn vị? (1–50)
callout-ask-hospital = Bệnh viện? (ví dụ: BV Hữu nghị Việt Tiệp)
callout-ask-address = Địa chỉ người hiến cần đến? (ví dụ: Khoa Huyết học, số 1 Nhà Thương, Lê Chân)
callout-ask-province = Tỉnh/thành phố của bệnh viện?
callout-ask-deadline = Cần trước khi nào? (ví dụ 18h, 24/11 7h30, 6h nữa)
callout-ask-note = Ghi chú cho người hiến (hoặc bỏ qua)?
callout-bad-group = Cần nhóm máu rõ cả ABO và Rh, ví dụ O-, A+, AB-.
callout-bad-units = Số đơn vị từ 1 đến 50, ví dụ 2.
callout-bad-deadline = Mình chưa hiểu thời hạn. Ví dụ: 18h, 24/11 7h30, 6h nữa.
callout-deadline-past = Thời hạn này đã qua. Bạn nhập thời hạn khác nhé.
callout-deadline-far = Thời hạn tối đa là { $hours } giờ kể từ bây giờ.
callout-bad-note = Ghi chú tối đa 300 ký tự.
callout-field-group = nhóm máu
callout-field-component = thành phần
callout-field-units = số đơn vị
callout-field-hospital = bệnh viện
callout-field-address = địa chỉ
callout-field-province = tỉnh/thành
callout-field-deadline = thời hạn
callout-field-note = ghi chú
callout-review =
    Xem lại lời kêu gọi:
    { $line }
    Địa chỉ: { $address }
    Ghi chú: { $note }
    Người hiến phù hợp (cộng dồn): CLB dự bị trong tỉnh { $reserve_province } · CLB dự bị toàn quốc { $reserve } · thêm cả tỉnh { $province_all } · toàn quốc { $all }.
    { $elsewhere }
    Đợt đầu sẽ hỏi { $first } người.
callout-elsewhere = Ngoài tỉnh: { $donors } người hiến ở { $provinces } tỉnh, thành khác có thể được hỏi ở các bước mở rộng (bạn chỉ thấy tên và số điện thoại của người nhận lời).
callout-elsewhere-none = Ngoài tỉnh: không có người hiến phù hợp.
choice-callout-send = Gửi ngay
callout-started = Đã gửi lời kêu gọi #{ $id }: đợt 1 hỏi { $asked } người. Mình sẽ báo số người nhận lời ở đây. /callouts để theo dõi.
callout-tally =
    Lời kêu gọi #{ $id } — { $status }
    { $line }
    Nhận lời { $pledged }/{ $enough } · đã hỏi { $asked } · từ chối { $declined } · chưa trả lời { $silent }
    Đã hiến { $donated } · không đến { $noshow }
    Theo đợt (hỏi / nhận / từ chối / chưa trả lời):
    { $waves }
    Đợt tiếp theo: { $next }
callout-ask-waiting = Một lời kêu gọi hiến máu khẩn cấp đang chờ bạn trả lời (tin ở trên): gõ 1 nếu bạn đến được, 2 nếu lần này không được, hoặc /callouts để xem lại.
callout-ask-explain = Tin khẩn cấp ở trên do { $org } gửi qua hienmau: một bệnh viện đang cần gấp người hiến máu có nhóm máu phù hợp với bạn, và bạn nằm trong số những người hiến có thể giúp. Bạn không bắt buộc phải đến. Gõ 1 nếu bạn đến được, 2 nếu lần này không được, hoặc /callouts để xem địa chỉ và thời hạn.
callout-ask-undecided = Không sao, bạn cứ cân nhắc. Khi đã quyết định, bạn trả lời lời kêu gọi khẩn cấp ở trên: 1 nếu bạn đến được, 2 nếu lần này không được (hoặc bấm nút bên dưới). Gõ /callouts để xem lại địa chỉ và thời hạn.
callout-status-closed-early = đã đóng trước khi đủ người
callout-cancelled-silent = Lời kêu gọi { $group } tại { $hospital } đã được huỷ: bạn không cần đến. Cảm ơn bạn!
callout-expired-silent = Lời kêu gọi { $group } tại { $hospital } đã hết hạn: bạn không cần đến nữa. Cảm ơn bạn — lần sau mong bạn giúp được.
callout-expired-pledged = Lời kêu gọi { $group } tại { $hospital } đã hết hạn. Cảm ơn bạn đã nhận lời! Nếu bạn chưa đến thì không cần đến nữa.
callout-closed-early = Lời kêu gọi { $group } tại { $hospital } đã được đóng: bệnh viện không cần thêm người hiến nữa. Cảm ơn bạn đã sẵn sàng — bạn không cần đến.
callout-confirm-close = Đóng lời kêu gọi này? Sẽ không hỏi thêm ai nữa; những người chưa trả lời được báo là không cần đến.
callout-closed-done = Đã đóng lời kêu gọi #{ $id } ({ $status }). Bảng tổng kết gửi ngay sau tin này.
callout-started-held = Trong số đó { $held } người không nhận tin khẩn cấp ban đêm: họ sẽ nhận lúc { $at }, khi hết giờ yên lặng.
callout-tally-hint = /callouts để xem người đã nhận lời, gia hạn hoặc huỷ.
callout-status-open = đang tìm người
callout-status-fulfilled = đã đủ người
callout-status-cancelled = đã huỷ
callout-status-expired = đã hết hạn
callouts-none = Không có lời kêu gọi nào đang mở hay vừa đóng. /callout để tạo mới.
callouts-none-for-you = Hiện không có lời kêu gọi nào đang chờ bạn. Cảm ơn bạn đã sẵn sàng!
callouts-pick = Chọn lời kêu gọi:
callout-not-found = Không tìm thấy lời kêu gọi này.
choice-refresh = Cập nhật số liệu
count = { $n }
count-more-than = hơn { $n }
choice-manage-callout = Quản lý (gia hạn, huỷ, danh sách)
choice-pledges = Người đã nhận lời
choice-extend = Gia hạn
choice-close-fulfilled = Đóng — không cần thêm người
choice-cancel-callout = Huỷ lời kêu gọi
callout-ask-new-deadline = Thời hạn mới? (ví dụ 22h, 25/11 8h, 6h nữa)
callout-confirm-cancel = Huỷ lời kêu gọi này? Những người chưa trả lời sẽ được báo không cần nữa.
pledges-none = Chưa có ai nhận lời.
pledges-pick = Người đã nhận lời (chọn để ghi nhận):
pledge-mark-ask = { $who }: đã hiến hay không đến?
choice-donated = Đã hiến
choice-no-show = Không đến
pledge-marked-donated = Đã ghi nhận lần hiến. Cảm ơn!
pledge-marked-no-show = Đã ghi nhận: không đến.
pledge-already-marked = Người này đã được ghi nhận trước đó.
callout-ask =
    🆘 CẦN MÁU GẤP: { $line }
    { $note }
    Bạn có thể đến hiến không? Trả lời 1 hoặc 2.
choice-callout-yes = Tôi đến được
choice-callout-no = Lần này không được
callout-pledged =
    Cảm ơn bạn! Mã nhận lời của bạn: { $code }
    Đến: { $hospital } — { $address }, trước { $deadline }.
    Mang theo CCCD; ăn nhẹ, uống đủ nước, không uống rượu bia trước khi hiến. Đưa mã này cho nhân viên khi đến.
    Nếu không đến được nữa, gõ /callouts để báo lại.
callout-declined-thanks = Cảm ơn bạn đã trả lời. Hẹn bạn lần sau!
callout-already-covered = Lời kêu gọi này đã đủ người hoặc đã kết thúc. Cảm ơn bạn rất nhiều!
callout-covered = Lời kêu gọi { $group } tại { $hospital } đã đủ người. Cảm ơn bạn đã sẵn sàng — không cần đến nữa.
callout-cancelled-pledged = Lời kêu gọi { $group } tại { $hospital } đã được huỷ: bạn không cần đến nữa. Cảm ơn bạn!
callout-expired-owner = Lời kêu gọi #{ $id } đã hết hạn.
stock-usage = Cách dùng: /stock O- 3 (số đơn vị) hoặc /stock O- 3 10 (số đơn vị, ngưỡng cảnh báo).
stock-none = Chưa có mức tồn kho nào. Ví dụ: /stock O- 3 10
stock-list =
    Tồn kho (đơn vị / ngưỡng):
    { $lines }
stock-saved = Đã lưu mức tồn kho.
stock-alert = Kho máu nhóm { $group } đang thấp ({ $units } đơn vị). Nếu bạn có thể hiến trong những ngày tới, gõ /drives để xem điểm hiến gần bạn. Cảm ơn bạn!
settings-prompt =
    Cài đặt tin nhắn:
    • Lời kêu gọi khẩn cấp: { $urgent }
    • Nhận cả ban đêm (21:00–07:00): { $night }
    • Tạm hoãn hiến đến: { $deferral }
choice-urgent-off = Tắt tin khẩn cấp
choice-urgent-on = Bật tin khẩn cấp
choice-night-on = Nhận cả ban đêm
choice-night-off = Không nhận ban đêm
choice-deferral = Tạm hoãn hiến đến ngày…
choice-done = Xong
settings-saved = Đã lưu.
settings-ask-deferral = Bạn tạm thời không hiến được đến ngày nào? (ví dụ 15/01/2027; gõ "xoá" để bỏ tạm hoãn). Bác sĩ tại điểm hiến là người quyết định cuối cùng.
settings-bad-deferral = Ngày phải là một ngày sắp tới trong vòng 13 tháng, ví dụ 15/01/2027.
