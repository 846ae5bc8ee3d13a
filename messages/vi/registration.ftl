# Đăng ký người hiến máu — tiếng Việt (ngôn ngữ mặc định).
# Mỗi id ở đây phải có trong messages/en/registration.ftl với cùng các biến.

welcome-staff = Xin chào! Tài khoản này có vai trò quản lý trên hienmau: gõ /help để xem các lệnh. Bạn cũng muốn đăng ký làm người hiến máu? Gõ /dangky.
not-understood-staff = Mình chưa hiểu ý bạn. Gõ /help để xem các lệnh, hoặc /dangky để đăng ký hiến máu.
back-at-rest = Đã quay lại. Gõ /help để xem các lệnh.
child-not-kept = Cảm ơn bạn đã quan tâm đến hiến máu! Bạn chưa đủ { $age } tuổi, nên theo luật bảo vệ dữ liệu cá nhân hienmau không lưu thông tin của bạn (cần sự đồng ý của cha mẹ hoặc người giám hộ): mọi thông tin bạn vừa nhập đã được xoá. Hẹn gặp lại bạn khi đủ { $min } tuổi — khi đó bạn có thể hiến máu!
welcome =
    Xin chào! Đây là hienmau, trợ lý của phong trào hiến máu tình nguyện.
    Bạn có thể đăng ký làm người hiến máu, nhận tin về các đợt hiến máu gần bạn và được nhắc khi đủ thời gian hiến lần tiếp theo.
    (Gõ /language để dùng tiếng Anh — type /language for English.)

consent-text =
    Trước khi bắt đầu, xin bạn đọc và đồng ý:
    • Dữ liệu thu thập: họ tên, số điện thoại, ngày sinh, giới tính, cân nặng, nhóm máu, tỉnh/thành, xã/phường và lần hiến máu gần nhất. Nhóm máu và lịch sử hiến máu là dữ liệu nhạy cảm.
    • Mục đích: chỉ để vận động, mời và nhắc lịch hiến máu tình nguyện, và liên hệ khi người bệnh cần máu gấp.
    • Kênh liên lạc: qua cuộc trò chuyện này; với người dùng Zalo, cả tin nhắn thông báo Zalo (ZNS) gửi tới số điện thoại bạn cung cấp khi bạn lâu không nhắn tin.
    • Bên nắm giữ dữ liệu: { $org }. Dữ liệu được giữ bí mật và không dùng vào việc khác.
    • Quyền của bạn: xem (/profile), sửa (/edit), tạm dừng tin nhắn (/pause), rút lại đồng ý và xoá toàn bộ dữ liệu (/delete) bất cứ lúc nào ngay trong cuộc trò chuyện này.
    (Phiên bản điều khoản: { $version })
    Bạn có đồng ý không?

consent-renewal =
    Điều khoản của { $org } vừa được cập nhật: ngoài cuộc trò chuyện này, với người dùng Zalo, chúng tôi có thể gửi tin nhắn thông báo Zalo (ZNS) tới số điện thoại bạn đã cung cấp khi bạn lâu không nhắn tin (nhắc lịch, mời hiến máu, lời kêu gọi khẩn cấp). Mọi điều khác giữ nguyên; gõ /profile để xem, /delete để xoá dữ liệu.
    (Phiên bản điều khoản: { $version })
    Bạn có đồng ý với điều khoản mới không? Câu hỏi này chỉ hỏi một lần.
consent-renewed = Cảm ơn bạn đã đồng ý với điều khoản mới!
consent-renewal-declined = Không sao cả: chúng tôi sẽ không gửi tin thông báo Zalo tới số điện thoại của bạn; mọi thứ khác vẫn như cũ.
consent-repeat = Vui lòng chọn "Đồng ý" hoặc "Không đồng ý" (gõ 1 hoặc 2).
consent-declined = Không sao cả. Chúng tôi không lưu bất kỳ thông tin cá nhân nào của bạn. Khi nào muốn đăng ký, bạn chỉ cần gõ /start.
consent-thanks = Cảm ơn bạn đã đồng ý! Mỗi câu trả lời được lưu ngay; gõ /cancel để dừng bất cứ lúc nào.
choice-agree = Đồng ý
choice-disagree = Không đồng ý

ask-name = Họ và tên đầy đủ của bạn là gì?
error-name = Họ tên cần có từ 2 đến 80 chữ cái, không có chữ số hay ký hiệu. Ví dụ: Nguyễn Thị Lan.

ask-phone = Số điện thoại di động của bạn là gì? (ví dụ: 0912 345 678)
choice-share-phone = 📱 Gửi số điện thoại của tôi
error-phone-format = Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm hoặc +84). Ví dụ: 0912 345 678.
error-phone-length = Số điện thoại di động gồm 10 chữ số, ví dụ 0912 345 678. Bạn kiểm tra lại giúp nhé.
error-phone-old = Đây là số 11 chữ số cũ (đã đổi sang 10 số từ năm 2018). Bạn nhập số mới 10 chữ số giúp nhé, ví dụ 0912 345 678.
error-phone-not-mobile = Vui lòng nhập số di động (bắt đầu bằng 03, 05, 07, 08 hoặc 09), không phải số cố định.
error-phone-foreign = Hiện chỉ nhận số di động Việt Nam (+84). Ví dụ: 0912 345 678.
error-phone-taken = Số { $phone } đã được dùng cho một hồ sơ đăng ký khác. Nếu đó là bạn trên một tài khoản Zalo hoặc Telegram khác, hãy chia sẻ số bằng nút "Chia sẻ số điện thoại" (nếu ứng dụng có) để nối hai hồ sơ; nếu không, bạn nhập một số khác, hoặc liên hệ { $org } để được giúp.
error-contact-not-own = Đây không phải số của chính bạn. Vui lòng bấm nút gửi số của bạn, hoặc gõ số điện thoại của bạn.

ask-birth-date = Ngày sinh của bạn? (ngày/tháng/năm, ví dụ 05/03/1995)
error-date-format = Mình chưa đọc được ngày này. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 05/03/1995.
error-date-no-such-day = Ngày này không có trong lịch. Bạn kiểm tra lại ngày và tháng giúp nhé, ví dụ 05/03/1995.
error-date-future = Ngày này còn ở tương lai. Bạn kiểm tra lại năm giúp nhé.
error-birth-date-too-old = Năm sinh này có vẻ chưa đúng. Bạn kiểm tra lại giúp nhé, ví dụ 05/03/1995.
age-too-young = Người hiến máu cần đủ { $min } tuổi. Bạn sẽ đủ tuổi vào ngày { $date } — cảm ơn tấm lòng của bạn! Bạn vẫn có thể ở lại làm người ủng hộ để nhận tin và lan toả phong trào.
age-too-old = Người hiến máu cần trong độ tuổi từ 18 đến { $max }. Cảm ơn tấm lòng của bạn! Bạn vẫn có thể ở lại làm người ủng hộ để nhận tin và động viên người thân, bạn bè.
choice-supporter = Ở lại làm người ủng hộ
choice-fix-birth-date = Nhập lại ngày sinh

ask-sex = Giới tính của bạn? (dùng cho ngưỡng cân nặng khi hiến máu)
choice-male = Nam
choice-female = Nữ

ask-weight = Cân nặng của bạn khoảng bao nhiêu kg? (ví dụ: 55)
error-weight-format = Vui lòng nhập cân nặng bằng số kg, ví dụ 55 hoặc 52,5.
error-weight-range = Cân nặng này có vẻ chưa đúng (cần từ 30 đến 250 kg). Bạn kiểm tra lại giúp nhé.
error-weight-unit = Vui lòng nhập cân nặng theo kg, ví dụ 55.
note-weight-below = Lưu ý: cân nặng tối thiểu để hiến máu là { $min } kg. Bạn vẫn có thể đăng ký để nhận tin và cập nhật cân nặng sau bằng /edit.

ask-blood-group = Nhóm máu của bạn? (ví dụ: O+, A Rh−, AB âm). Nếu chưa biết, chọn "Chưa biết" — lần hiến đầu tiên sẽ cho bạn biết.
choice-blood-unknown = Chưa biết
error-blood-group = Mình chưa hiểu nhóm máu này. Bạn chọn một nút, hoặc gõ như O+, A-, AB Rh dương, B âm, hoặc "chưa biết".

ask-province = Bạn đang sống hoặc làm việc ở tỉnh/thành phố nào? (ví dụ: Hà Nội, TP HCM, Hải Phòng)
ask-province-home = Bạn đang sống hoặc làm việc ở tỉnh/thành phố nào? Ở { $province } thì bạn chọn bên dưới; nơi khác thì gõ tên (ví dụ: Hà Nội, TP HCM).
ask-province-choose = Bạn ở tỉnh/thành phố nào trong các nơi sau?
error-province = Mình chưa tìm thấy tỉnh/thành phố này trong 34 tỉnh, thành hiện nay. Bạn gõ lại tên giúp nhé, ví dụ: Đà Nẵng, Cần Thơ, Đắk Lắk.
note-province-former = { $former } nay thuộc { $province } (từ 01/7/2025). Mình ghi { $province } nhé.

ask-commune = Xã/phường nơi bạn ở? (ví dụ: Phường Lê Chân). Bạn có thể bỏ qua.
choice-skip = Bỏ qua
error-commune = Vui lòng gõ tên xã/phường (từ 2 đến 100 ký tự), hoặc chọn "Bỏ qua".

ask-last-donation = Lần gần nhất bạn hiến gì?
choice-whole-blood = Máu toàn phần
choice-platelets = Tiểu cầu
choice-plasma = Huyết tương
choice-never = Chưa hiến lần nào
ask-last-donation-date = Bạn hiến lần gần nhất vào ngày nào? (ví dụ 15/08/2026; nếu chỉ nhớ tháng, gõ 8/2026)
error-donation-date-too-early = Ngày này sớm hơn tuổi có thể hiến máu. Bạn kiểm tra lại giúp nhé.
error-last-date-format = Mình chưa đọc được ngày này. Bạn gõ ngày hiến gần nhất, ví dụ 15/08/2026; nếu chỉ nhớ tháng, gõ 8/2026; nếu không nhớ, gõ "không nhớ".
error-last-date-no-such-day = Ngày này không có trong lịch. Bạn kiểm tra lại ngày và tháng giúp nhé, ví dụ 15/08/2026 (hoặc 8/2026 nếu chỉ nhớ tháng).

error-choice = Vui lòng chọn một trong các lựa chọn bên dưới (bấm nút hoặc gõ số thứ tự).
stale-choice = Nút đó thuộc câu hỏi trước. Mình hỏi lại nhé:

summary =
    Thông tin của bạn:
    • Họ tên: { $name }
    • Điện thoại: { $phone }
    • Ngày sinh: { $birth }
    • Giới tính: { $sex }
    • Cân nặng: { $weight }
    • Nhóm máu: { $blood }
    • Tỉnh/thành: { $province }
    • Xã/phường: { $commune }
    • Lần hiến gần nhất: { $last }
    • { $eligibility }
    • Tin khẩn cấp ban đêm: { $night }
    Thông tin đã đúng chưa?
choice-confirm = Xác nhận
choice-edit = Sửa thông tin

registered =
    Bạn đã đăng ký thành công. Cảm ơn bạn! ❤️
    { $eligibility }
    Chúng tôi sẽ báo bạn các đợt hiến máu gần nơi bạn ở. Gõ /help để xem các lệnh.
registered-supporter = Cảm ơn bạn đã đồng hành cùng phong trào hiến máu tình nguyện! Chúng tôi sẽ gửi bạn tin về các đợt hiến máu để bạn lan toả. Gõ /help để xem các lệnh.
eligible-now = Bạn có thể hiến máu ngay từ bây giờ.
eligible-from = Bạn có thể hiến máu lần tiếp theo từ ngày { $date }.
eligible-date-forgotten = Bạn không nhớ lần hiến gần nhất là khi nào: bác sĩ tại điểm hiến sẽ hỏi và khám cho bạn. Nếu nhớ ra ngày, bạn sửa bằng /edit nhé.
eligible-first-time = Bạn có thể tham gia hiến máu lần đầu ở đợt gần nhất. Bác sĩ tại điểm hiến sẽ khám và tư vấn cho bạn.
eligible-weight = Cân nặng tối thiểu để hiến máu là { $min } kg; bạn cập nhật cân nặng bằng /edit khi đủ nhé.

ask-night-alerts =
    Khi bệnh nhân cần gấp nhóm máu của bạn, hienmau có thể nhắn bạn cả ban đêm (21:00–07:00). Bạn có muốn nhận tin khẩn cấp vào ban đêm không?
    (Tin khẩn ban ngày vẫn đến; đổi bất cứ lúc nào bằng /settings.)
choice-night-yes = Có, cả ban đêm
choice-night-no = Không, chỉ ban ngày
field-night-alerts = Tin khẩn cấp ban đêm
value-night-yes = có nhận
value-night-no = không (chỉ ban ngày)
