# The command line's own lines (hienmau campaigns, donations import, stock set, status).
cli-calendar-stored = Đã lưu cho năm { $year }: { $plan ->
        [none] {""}
       *[other] kế hoạch năm { $plan } ({ $targets ->
            [yes] chỉ tiêu năm và{" "}
           *[other] {""}
        }{ $units } đơn vị),{" "}
    }{ $campaigns } đợt vận động{ $points ->
        [0] {""}
       *[other] , { $points } điểm hiến máu cố định
    } và { $drives } điểm hiến máu.
cli-campaigns-none = Chưa có đợt vận động nào cho năm { $year }.
cli-target-units = { $min ->
        [none] {""}
       *[other] { $max ->
            [same] { $min } đơn vị
           *[other] { $min }–{ $max } đơn vị
        }
    }
cli-nothing-stored = Không lưu gì cả:
cli-donations-imported = Đã ghi nhận { $added } lần hiến cho { $donors } người ({ $known } lần đã có từ trước, không ghi lại).
cli-stock-set = { $group }: { $units } đơn vị
cli-stock-bad-group = “{ $group }” không phải nhóm máu có cả ABO và Rh (ví dụ O- hoặc AB+).
cli-stock-negative = Số đơn vị và ngưỡng báo không được âm.
cli-status-outbox = Tin nhắn đi (theo trạng thái):
cli-status-empty = (không có)
cli-status-uncertain = chưa chắc đã gửi: đang gửi khi tiến trình dừng, không gửi lại ({ $lanes }); đặt [delivery] interrupted_bulk = "resend" để gửi lại những tin này
cli-status-backup = Bản sao lưu gần nhất: { $at }
cli-status-no-backup = Bản sao lưu gần nhất: chưa có (hienmau backup TỆP, hoặc đặt HIENMAU_BACKUP_DIR để serve tự sao lưu)
cli-status-donations = Lần hiến đã ghi nhận: { $n } ({ $anonymous } của người đã xoá dữ liệu, ẩn danh)
cli-status-jobs = Việc đã lên lịch (đang chờ, hoặc kết quả):
cli-zalo-month = Zalo OA, tháng { $month }:
cli-zalo-spend = tin mẫu (ZNS): { $bulk } tin hàng loạt, { $urgent } tin khẩn; đã chi { $spent } / { $budget } VND (tin khẩn được thêm tối đa { $cap } VND)
cli-zalo-left = còn lại trong tháng: { $left } VND
cli-zalo-no-zns = tin mẫu (ZNS): chưa cấu hình ([zns] trong tệp cấu hình)
cli-zalo-billed = tin tư vấn gửi sau 48 giờ đến 7 ngày (Zalo tính phí): { $n }
cli-zalo-quota = hạn mức tin mẫu hôm nay: còn { $remaining } / { $daily } (báo lúc { $at })
cli-zalo-receipts = xác nhận đã nhận: { $delivered } đã xác nhận, { $awaiting } đang chờ, { $unconfirmed } chưa xác nhận sau { $minutes } phút (không gửi lại)
unit-kind = { $kind ->
        [district] quận/huyện
        [commune] xã/phường
        [university] trường đại học
        [college] trường cao đẳng
        [school] trường học
        [department] sở, ban, ngành
        [organisation] đoàn thể
        [firm] doanh nghiệp
        [armed_forces] lực lượng vũ trang
        [club] câu lạc bộ
        [hospital] bệnh viện
       *[other] khác
    }
