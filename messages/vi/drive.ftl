# Drives, sign-ups, reminders, donations, campaigns and the progress report.

weekday = { $day ->
    [mon] Thứ Hai
    [tue] Thứ Ba
    [wed] Thứ Tư
    [thu] Thứ Năm
    [fri] Thứ Sáu
    [sat] Thứ Bảy
   *[sun] Chủ nhật
}

# Two items of a list, the second possibly a list itself: "Thứ Ba, Thứ Năm".
list-pair = { $a }, { $b }
# An empty list, as the selector of a message that has one (not shown to anyone).
list-none = none

drives-need-registration = Bạn cần đăng ký người hiến máu trước (gõ /start), rồi mình sẽ tìm điểm hiến máu gần bạn.
drives-none = Hiện chưa có điểm hiến máu nào sắp tới. Mình sẽ báo bạn khi có đợt mới.
drives-near = Điểm hiến máu sắp tới (gần bạn trước):
drives-all = Các điểm hiến máu sắp tới:
drives-from = Bạn có thể hiến lại từ { $date }. Đây là các điểm hiến máu từ ngày đó (gần bạn trước):
drives-pick = Chọn một điểm để xem chi tiết và đăng ký.
drive-card =
    { $campaign ->
        [none] {""}
       *[other] 🩸 { $campaign }
    }
    📅 { $weekday } { $date }, { $time }{ $open_days ->
        [none] {""}
       *[other] {" "}(điểm cố định, mở { $open_days } hằng tuần)
    }
    📍 { $place } ({ $where })
    { $state ->
        [mine] ✓ Bạn đã đăng ký{ $slot ->
            [none] .
           *[other] , khung giờ { $slot }.
        }
        [full] ⛔ Điểm này đã đủ người ({ $capacity }).
        [cancelled] ⛔ Điểm hiến máu này đã bị huỷ.
       *[open] Còn { $left }/{ $capacity } chỗ.
    }
drive-menu = Bạn muốn làm gì?
choice-sign-up = Đăng ký
choice-cancel-sign-up = Huỷ đăng ký
choice-edit-drive = Sửa điểm hiến
choice-cancel-drive = Huỷ điểm hiến
choose-slot = Chọn khung giờ (số chỗ còn lại trong ngoặc):
slot-full = Khung giờ này vừa đủ người. Bạn chọn khung giờ khác nhé.
signed-up =
    Đã đăng ký! Mình sẽ nhắc bạn trước ngày hiến.
    { $drive }
    Trước khi hiến: ngủ đủ giấc, ăn nhẹ (không ăn đồ nhiều mỡ), uống đủ nước, mang theo giấy tờ tùy thân. Bác sĩ tại điểm hiến sẽ khám và quyết định.
    Gõ /checkin tại điểm hiến để lấy mã điểm danh.
sign-up-already = Bạn đã đăng ký điểm này rồi.
sign-up-not-yet = Ngày này bạn chưa đủ thời gian nghỉ giữa hai lần hiến: bạn có thể hiến lại từ { $date }.
drive-full = Điểm này đã đủ người và chưa có điểm nào khác còn chỗ. Mình sẽ báo bạn khi có đợt mới.
drive-full-next = Điểm này đã đủ người. Các điểm sau còn chỗ:
drive-closed = Điểm hiến máu này đã bắt đầu, đã kết thúc hoặc đã bị huỷ.
sign-up-cancelled = Đã huỷ đăng ký tại { $place } ngày { $date }. Cảm ơn bạn đã báo trước!

checkin-code =
    Mã điểm danh của bạn: { $code }
    Đưa mã này cho cán bộ tại điểm hiến để ghi nhận lần hiến. Mã dùng được đến { $until }.
self-report-ask = Bạn vừa hiến gì hôm nay?
self-reported = Cảm ơn bạn! Mình đã ghi lần hiến hôm nay (do bạn tự báo, chưa được trung tâm xác nhận) và tính ngày bạn có thể hiến lại.
donation-already-recorded = Lần hiến này đã được ghi nhận trước đó.

record-ask = Số điện thoại hoặc mã điểm danh của người hiến? (gõ "xong" khi đã ghi hết)
record-bad-query = Đó không phải số điện thoại (10 chữ số) hay mã điểm danh (6 ký tự). Gõ lại giúp mình, hoặc "xong".
record-not-found = Không tìm thấy người hiến đã đăng ký với số hoặc mã này (mã điểm danh có hạn dùng trong ngày).
record-several = Số này thuộc về nhiều người hiến. Hãy dùng mã điểm danh (/checkin) của người hiến.
record-found = { $name } · nhóm máu { $blood } · { $eligible }
record-eligible-now = người này hiến được ngay
record-eligible-from = người này chỉ hiến lại được từ { $date }
record-kind-ask = Người hiến đã hiến gì?
record-drive-ask = Tại điểm hiến nào?
choice-no-drive = Không thuộc điểm nào
record-early-confirm = ⚠️ { $name } chỉ có thể hiến lại từ { $next } (lần hiến trước vẫn trong thời gian nghỉ giữa hai lần hiến). Ghi nhận thêm lúc này thường là nhầm. Vẫn ghi nhận?
choice-record-anyway = Vẫn ghi nhận
choice-dont-record = Không ghi
record-not-recorded = Chưa ghi nhận gì. Nhập số điện thoại hoặc mã điểm danh của người tiếp theo, hoặc "xong".
record-remove-confirm = Xoá lần hiến { $kind } ngày { $date } của { $name } (ghi nhầm)? Ngày được hiến lại của người này sẽ tính lại theo lần hiến trước đó.
choice-remove-donation = Xoá lần hiến ghi nhầm ({ $kind }, { $date })
choice-remove-yes = Xoá lần hiến này
record-not-removed = Không xoá gì.
record-removed = Đã xoá lần hiến { $kind } ngày { $date } của { $name } (đã ghi vào nhật ký). Nhập người tiếp theo, hoặc "xong".
record-done-one = { $first ->
        [yes] Đã ghi nhận lần hiến thứ { $count } của { $name } (lần hiến đầu tiên).
       *[no] Đã ghi nhận lần hiến thứ { $count } trong hồ sơ của { $name } (người đã từng hiến máu trước đó).
    }
record-done = Xong. Cảm ơn bạn!

drive-ask-campaign = Điểm hiến thuộc đợt vận động nào?
choice-no-campaign = Không thuộc đợt nào
drive-ask-place = Địa điểm? (tên và địa chỉ, ví dụ: Trường Đại học Hải Phòng, 171 Phan Đăng Lưu)
drive-ask-province = Tỉnh/thành phố?
drive-province-which = Tên này khớp với: { $names }. Gõ đầy đủ hơn giúp mình.
drive-ask-commune = Xã/phường? (có thể bỏ qua)
drive-ask-date = Ngày hiến? (ví dụ 06/12 hoặc 06/12/2026)
drive-ask-time = Giờ? (ví dụ 7h30-11h30)
drive-ask-capacity = Tiếp nhận tối đa bao nhiêu người?
drive-ask-target = Mục tiêu bao nhiêu đơn vị máu? (có thể bỏ qua)
drive-ask-slots = Chia khung giờ? Gõ các khung cách nhau bằng dấu phẩy, ví dụ 7h30-9h, 9h-10h30 (có thể bỏ qua).
drive-bad-place = Địa điểm cần từ 3 đến 200 ký tự.
drive-bad-date = Ngày chưa đúng hoặc đã qua. Ví dụ: 06/12 hoặc 06/12/2026.
drive-bad-time = Giờ chưa đúng: cần giờ bắt đầu và giờ kết thúc, ví dụ 7h30-11h30.
drive-bad-count = Cần một số dương, ví dụ 300.
drive-bad-slots = Khung giờ chưa đúng: mỗi khung phải nằm trong giờ của điểm hiến và không trùng nhau, ví dụ 7h30-9h, 9h-10h30.
drive-summary =
    Kiểm tra lại điểm hiến:
    • Đợt: { $campaign ->
        [none] (không)
       *[other] { $campaign }
    }
    • Địa điểm: { $place }
    • Tỉnh/thành: { $province }{ $commune ->
        [none] {""}
       *[other] , { $commune }
    }
    • Ngày: { $date }, { $time }
    • Tiếp nhận: { $capacity } người
    • Mục tiêu: { $target ->
        [none] (không)
       *[other] { $target } đơn vị
    }
    • Khung giờ: { $slots ->
        [none] (không chia)
       *[other] { $slots }
    }
choice-save = Lưu
choice-discard = Huỷ bỏ
choice-change-field = Sửa { $field }
drive-field-campaign = đợt
drive-field-place = địa điểm
drive-field-province = tỉnh/thành
drive-field-commune = xã/phường
drive-field-date = ngày
drive-field-time = giờ
drive-field-capacity = số người
drive-field-target = mục tiêu
drive-field-slots = khung giờ
drive-outside-campaign = Ngày { $date } nằm ngoài đợt "{ $campaign }" ({ $from } – { $to }): chưa lưu. Bạn nhập một ngày trong đợt; muốn đổi đợt thì chọn "đợt" ở bước xem lại.
drive-created = Đã tạo điểm hiến máu. Người hiến thấy điểm này trong /drives.
drive-updated = Đã lưu thay đổi. { $notified ->
    [0] {""}
   *[other] Đã báo cho { $notified } người đã đăng ký.
}
confirm-cancel-drive = Huỷ điểm hiến tại { $place }? { $signups } người đã đăng ký sẽ được báo.
drive-cancelled-done = Đã huỷ điểm hiến. Đã báo cho { $notified } người đã đăng ký.

campaign-ask-name = Tên đợt vận động? (ví dụ: Chủ nhật Đỏ tháng 12)
campaign-bad-name = Tên cần từ 3 đến 80 ký tự.
campaign-ask-dates = Từ ngày nào đến ngày nào? (ví dụ 01/12 - 31/12)
campaign-bad-dates = Chưa đúng: cần hai ngày sắp tới, ví dụ 01/12 - 31/12.
campaign-ask-units = Mục tiêu bao nhiêu đơn vị máu? (ví dụ 500 hoặc 500-600; có thể bỏ qua)
campaign-ask-people = Mục tiêu vận động bao nhiêu người? (có thể bỏ qua)
campaign-summary =
    Kiểm tra lại đợt vận động:
    • Tên: { $name }
    • Thời gian: { $from } – { $to }
    • Mục tiêu: { $units ->
        [none] (không)
       *[other] { $units } đơn vị
    }{ $people ->
        [none] {""}
       *[other] , vận động { $people } người
    }
campaign-created = Đã tạo đợt "{ $name }". Thêm điểm hiến: /newdrive.
campaign-exists = Năm nay đã có đợt trùng tên. Bạn đặt tên khác giúp mình.

campaigns-pick = Chọn đợt vận động để xem và sửa:
campaigns-none = Chưa có đợt vận động nào sắp tới. Tạo đợt mới: /newcampaign.
campaign-updated = Đã lưu thay đổi của đợt "{ $name }".
campaign-field-name = tên
campaign-field-dates = thời gian
campaign-field-units = mục tiêu đơn vị máu
campaign-field-people = mục tiêu số người

report =
    Tiến độ năm { $year }: { $active } trong { $campaigns } đợt có hoạt động.
    { $lines }
    { $other }
    Tổng: { $total }
report-other = Lần hiến ngoài các đợt: { $donations }{ $repeat ->
        [none] {""}
       *[other] , { $repeat }% hiến nhắc lại
    }{ $signups ->
        [0] {""}
       *[other] ; { $signups } đăng ký ngoài các đợt
    }
report-csv-header = cấp,đợt,điểm hiến,ngày,tỉnh/thành,đăng ký,lần hiến,mục tiêu đơn vị (từ),mục tiêu đơn vị (đến),% mục tiêu đơn vị,số người được vận động,mục tiêu số người,% hiến nhắc lại
report-level-campaign = đợt
report-level-drive = điểm hiến
report-level-other = ngoài các đợt
report-level-total = cả năm
report-line = { $name ->
        [none] {""}
       *[other] { $name }: {""}
    }{ $signups } đăng ký, { $donations } lần hiến{ $target ->
        [none] {""}
       *[other] /{ $target } đơn vị ({ $percent }%)
    }{ $reached ->
        [0] {""}
       *[other] , vận động { $reached } người
    }{ $repeat ->
        [none] {""}
       *[other] , { $repeat }% hiến nhắc lại
    }

# Sent by the scheduler.
reminder-drive =
    🔔 Nhắc lịch hiến máu { $when ->
        [today] hôm nay
        [tomorrow] ngày mai
       *[other] sau { $days } ngày nữa
    }:
    📅 { $date }, { $time }
    📍 { $place }
    Nhớ ngủ đủ giấc, ăn nhẹ và mang giấy tờ tùy thân. Không đi được? Gõ /drives để huỷ đăng ký.
eligible-again =
    Từ hôm nay bạn đã có thể hiến máu trở lại. Cảm ơn bạn vì những lần hiến trước!
    { $drives ->
        [none] Gõ /drives để tìm điểm hiến máu khi có đợt mới.
       *[other] Điểm hiến máu gần bạn:
        { $drives }
        Gõ /drives để đăng ký.
    }
campaign-announce =
    🩸 { $name } ({ $from } – { $to })
    { $note ->
        [none] {""}
       *[other] { $note }
    }
    Các điểm hiến máu:
    { $drives }
    Gõ /drives để đăng ký.
thanks-donation = Cảm ơn bạn đã hiến máu hôm { $date }! Giọt máu của bạn sẽ đến với người bệnh đang cần. Bạn có thể hiến lại từ { $next }. Đây là lần hiến thứ { $count } của bạn được ghi nhận.
thanks-first = Cảm ơn bạn đã hiến máu lần đầu hôm { $date }! Bạn sẽ nhận Giấy chứng nhận hiến máu tình nguyện. Bạn có thể hiến lại từ { $next }.
thanks-milestone = 🎉 Chúc mừng lần hiến máu thứ { $count } của bạn (hôm { $date })! Cảm ơn bạn đã bền bỉ sẻ chia. Bạn có thể hiến lại từ { $next }.
honours-day = 🌹 Nhân Ngày Thế giới tôn vinh người hiến máu 14/6, cảm ơn bạn đã hiến những giọt máu quý giá. Mỗi lần hiến của bạn đã góp phần cứu sống người bệnh.
drive-changed =
    Điểm hiến máu bạn đăng ký đã thay đổi:
    { $drive }
    Không đi được nữa? Gõ /drives để huỷ đăng ký.
drive-slot-removed =
    Giờ của điểm hiến máu bạn đăng ký đã thay đổi và khung giờ bạn chọn không còn. Bạn vẫn được giữ chỗ, đến trong giờ mới:
    { $drive }
    Không đi được nữa? Gõ /drives để huỷ đăng ký.
drive-slots-no-longer-fit = Giờ mới không còn chứa khung { $gone }. { $kept_count ->
        [0] Không còn khung giờ nào hợp: nhập các khung giờ mới, hoặc bỏ qua để không chia khung.
       *[other] Còn hợp: { $kept }. Giữ các khung này, hoặc nhập lại các khung giờ.
    }
choice-keep-slots = Giữ các khung còn hợp
drive-cancelled-notice = Rất tiếc, điểm hiến máu tại { $place } ngày { $date } đã bị huỷ. Gõ /drives để tìm điểm khác. Xin lỗi vì sự bất tiện!
signup-released-notice = Bạn đã hiến máu ngày { $gave }, nên chỗ của bạn tại { $place } ngày { $date } đã được nhường cho người khác (bạn có thể hiến lại từ { $next }). Cảm ơn bạn!

terminal-quit = (Gõ /quit hoặc bấm Ctrl-D để thoát; mọi thông tin đã lưu vẫn còn.)
terminal-bad-bytes = (Dòng vừa gõ có ký tự không đọc được — terminal không dùng UTF-8? — nên được thay bằng "�".)
demo-clock = ⏩ Bây giờ là { $now } (đồng hồ thử nghiệm, chung cho mọi terminal trên cơ sở dữ liệu này).
demo-clock-usage = Mình chưa hiểu "{ $arg }". Dùng: /clock (xem giờ), /clock +30m, /clock +2h, /clock +3d, hoặc /clock NĂM-THÁNG-NGÀYTGIỜ:PHÚT (ví dụ /clock 2027-01-05T19:00), giờ Việt Nam. Chỉ có trong bản chạy thử trên terminal.
demo-clock-backwards = Đồng hồ thử nghiệm không lùi lại được (việc đã chạy sẽ không chạy lại): bây giờ đã là { $now }. Hãy chọn một thời điểm sau đó, hoặc /clock +1h.
demo-clock-too-far = Mỗi lần chỉ tiến tối đa 10000 phút, giờ hoặc ngày.
demo-clock-ahead = Đồng hồ thử nghiệm của cơ sở dữ liệu này đã ở { $now } (một terminal khác đã chỉnh): dùng giờ đó.
demo-loaded = Thử nghiệm: đã nạp kế hoạch năm của Hải Phòng cho năm { $year } và { $next } (chỉ tiêu và đơn vị, { $campaigns } đợt vận động, { $points } điểm hiến máu cố định, { $drives } điểm hiến máu). /drives liệt kê các điểm sắp tới; /report { $year } cho xem cả năm; /clock +1d đưa thời gian tới.
demo-dashboard = Bảng điều khiển trên web chạy cùng cuộc trò chuyện này: mở { $link } trong trình duyệt (liên kết dùng một lần, trong 10 phút; cần liên kết mới: hienmau dashboard link { $account }).
demo-dashboard-unavailable = Không mở được bảng điều khiển trên web ở { $addr } ({ $error }): đặt HIENMAU_LISTEN, ví dụ 127.0.0.1:8081. Cuộc trò chuyện vẫn chạy.
cli-donor-not-found = Không có người hiến đã đăng ký với số này.
cli-donor-several = Số này thuộc nhiều hồ sơ: hãy tìm trong /record theo mã điểm danh.
cli-no-donations = Chưa có lần hiến nào được ghi nhận.
cli-donations-header = Số · Ngày · Loại · Xác nhận · Nguồn
cli-donation-line = { $id } · { $date } · { $kind } · { $verified } · { $source }
cli-verified = trung tâm ghi nhận
cli-self-reported = tự khai
cli-no-such-donation = Không có lần hiến số { $id }.
cli-donation-removed = Đã xoá lần hiến số { $id } ({ $kind }, { $date }); đã ghi vào nhật ký.
cli-stock-none = Chưa đặt mức tồn kho nào.
cli-stock-header = nhóm	đơn vị	ngưỡng báo
cli-stock-low = thấp

# The year plan (hienmau plan report).
plan-report-title = Kế hoạch năm { $year }: số liệu đến hết ngày { $date } ({ $year_pct }% thời gian của năm)
plan-report-none = Chưa có chỉ tiêu cho năm { $year }. Nạp kế hoạch: hienmau plan load TỆP.toml
plan-report-units = • Máu tiếp nhận: { $done } / { $target } đơn vị ({ $pct } chỉ tiêu); cùng kỳ năm trước: { $last } đơn vị
plan-report-behind = ⚠ Chậm tiến độ: đạt { $pct }% chỉ tiêu khi đã qua { $year_pct }% thời gian của năm.
plan-report-people = • Người được tuyên truyền, vận động: { $reached } (mục tiêu { $target })
plan-report-repeat = • Hiến máu nhắc lại: { $pct } số lần hiến (mục tiêu { $target })
plan-report-population = • Người hiến máu: { $donors } người, { $pct } dân số (mục tiêu { $target })
plan-report-drives = • Số đợt hiến máu đã tổ chức: { $done } (mục tiêu { $target }){ $fixed ->
        [0] {""}
       *[other] ; điểm cố định mở { $fixed } buổi
    }
plan-report-months = Theo tháng (đơn vị): { $months }
plan-report-units-head = Theo đơn vị được giao chỉ tiêu:
plan-report-provinces-head = Theo tỉnh, thành phố:
plan-report-province = • { $name } — { $done } / { $target } đơn vị ({ $pct }){ $behind }; { $donations } lượt hiến, nhắc lại { $repeat }; { $reached } người được vận động; { $drives } đợt
plan-report-unit = • { $name }{ $illustrative } — { $done } / { $target } đơn vị ({ $pct }){ $behind }
plan-report-unit-behind = {" "}⚠ chậm tiến độ
plan-report-illustrative = (* chỉ tiêu minh hoạ, không phải của Ban Chỉ đạo.)
plan-report-none-value = —
plan-csv-header = cấp,mã,tên,loại,chỉ tiêu (đơn vị),đạt (đơn vị),% chỉ tiêu,% thời gian,chậm tiến độ,số lần hiến,cùng kỳ năm trước (đơn vị)
plan-level-province = tỉnh/thành
plan-level-unit = đơn vị
plan-level-month = tháng
plan-behind-yes = có
plan-loaded = Đã lưu kế hoạch năm { $year }: { $targets ->
        [yes] chỉ tiêu năm và { $units } đơn vị
       *[other] { $units } đơn vị
    }.
plan-no-unit = Không có đơn vị nào tên hoặc mã có “{ $unit }”. Gõ /report kế hoạch để xem cả năm.

# The year's honours (hienmau plan honours), for the 14/6 ceremony.
honours-title = Tôn vinh năm { $year } (số liệu đến hết ngày { $date })
honours-donors-head = Người hiến máu đạt mốc trong năm ({ $n } người):
honours-donor = • Mốc { $tier } lần: { $name }{ $province ->
        [none] {""}
       *[other] {" "}({ $province })
    } — { $total } lần hiến
honours-clubs-head = Câu lạc bộ ({ $n }), theo số lần hiến của thành viên:
honours-units-head = Đơn vị hoàn thành chỉ tiêu ({ $n }):
honours-unit = • { $name } — { $done } / { $target } đơn vị máu
honours-csv-header = loại,mốc hoặc hạng,tên,tỉnh/thành,số lần hiến,lần hiến gần nhất,câu lạc bộ,người hiến mới,nhắc lại (%),chỉ tiêu (đơn vị),đạt (đơn vị)
honours-kind-donor = người hiến
honours-kind-club = câu lạc bộ
honours-kind-family = gia đình
honours-families-head = Gia đình hiến máu ({ $n }), những người đã cùng tham gia /giadinh:
honours-family = • { $names } — { $year } lần hiến trong năm, { $total } lần tất cả
honours-kind-unit = đơn vị

# The donor's school or workplace (one of the year plan's units), asked once after
# registering and with /donvi; skippable.
ask-unit = Bạn đang học hoặc làm việc ở trường, cơ quan, doanh nghiệp nào? Gõ tên (ví dụ: Đại học Hàng hải), để câu lạc bộ và đơn vị của bạn thấy đóng góp của mình. Không muốn nêu thì bấm Bỏ qua.
choose-unit = Bạn thuộc đơn vị nào?
choice-unit-retry = Không có, gõ lại
unit-not-found = Mình không tìm thấy đơn vị nào có tên như vậy trong kế hoạch năm. Bạn gõ lại (một phần tên là đủ), hoặc bấm Bỏ qua.
unit-saved = Đã ghi: bạn thuộc { $unit }. Lần hiến của bạn sẽ được tính cho đơn vị này khi không hiến tại điểm của đơn vị khác. Đổi: /donvi.
unit-skipped = Không sao. Khi nào muốn, gõ /donvi để nêu trường hoặc cơ quan của bạn.
unit-none = Kế hoạch năm chưa có trường, cơ quan hay doanh nghiệp nào để chọn.
profile-family = mã { $code } (/giadinh)
profile-family-none = chưa tham gia (/giadinh)
profile-unit-none = chưa nêu (/donvi)

# A target of the year set in chat (/chitieu) or on the command line (hienmau plan target).
plan-targets =
    Chỉ tiêu năm { $year }:
    • Máu: { $units } đơn vị
    • Người được tuyên truyền, vận động: { $people }
    • Hiến máu nhắc lại: { $repeat }
    • Dân số: { $population }; tỷ lệ tham gia: { $share }
    • Số đợt hiến máu: { $drives }
plan-target-usage =
    Gõ năm (nếu không phải năm nay), chỉ tiêu rồi con số, ví dụ:
    /chitieu 2026 đơn vị 30000
    /chitieu người 58000-61000
    /chitieu nhắc lại 70%
    /chitieu dân số 2100000 · /chitieu tỷ lệ 1,1% · /chitieu đợt 160
