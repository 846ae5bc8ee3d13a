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
web-year-head = Kế hoạch năm
web-chart-title = Máu tiếp nhận cộng dồn theo tháng (đơn vị){ $target ->
        [none] {""}
       *[other] , so với chỉ tiêu { $target } đơn vị
    }
web-chart-done = Đã tiếp nhận
web-chart-pace = Chỉ tiêu chia đều theo tháng
web-drives-head = Điểm hiến máu 14 ngày tới
web-col-when = Thời gian
web-col-place = Địa điểm
web-col-signups = Đăng ký / sức chứa
web-drives-none = Không có điểm hiến máu nào trong 14 ngày tới.
