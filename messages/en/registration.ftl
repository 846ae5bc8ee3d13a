# Donor registration — English. Same ids and variables as messages/vi/registration.ftl.

welcome-staff = Hello! This account has a staff role on hienmau: type /help to see the commands. Would you also like to register as a blood donor? Type /register.
not-understood-staff = Sorry, I did not understand. Type /help for the commands, or /register to register as a donor.
back-at-rest = Back. Type /help to see the commands.
child-not-kept = Thank you for caring about blood donation! You are under { $age }, so under the personal data law hienmau keeps nothing about you (a parent's or guardian's consent would be needed): everything you just typed has been erased. See you when you are { $min } — then you can give blood!
welcome =
    Hello! This is hienmau, the assistant of the voluntary blood donation movement.
    You can register as a donor, hear about blood drives near you and get a reminder when you may give again.
    (Gõ /language để dùng tiếng Việt — type /language for Vietnamese.)

consent-text =
    Before we start, please read and agree:
    • Data collected: full name, phone number, date of birth, sex, weight, blood group, province/city, commune/ward and your last donation. Blood group and donation history are sensitive data.
    • Purpose: only to invite and remind you about voluntary blood donation, and to contact you when a patient urgently needs blood.
    • How we write: in this chat; for Zalo users, also Zalo notification messages (ZNS) to the phone number you give, when you have not written for a while.
    • Data holder: { $org }. Your data is kept confidential and used for nothing else.
    • Your rights: see (/profile), correct (/edit), pause messages (/pause), withdraw consent and erase all your data (/delete) at any time, right here in this chat.
    (Terms version: { $version })
    Do you agree?

consent-renewal =
    The terms of { $org } have been updated: besides this chat, for Zalo users we may send Zalo notification messages (ZNS) to the phone number you gave when you have not written for a while (reminders, invitations to give, urgent calls). Nothing else changes; type /profile to see your data, /delete to erase it.
    (Terms version: { $version })
    Do you agree to the new terms? This is asked only once.
consent-renewed = Thank you for agreeing to the new terms!
consent-renewal-declined = That is fine: we will not send Zalo notification messages to your phone; everything else stays as it was.
consent-repeat = Please choose "I agree" or "I do not agree" (type 1 or 2).
consent-declined = No problem. We have stored no personal data of yours. Whenever you want to register, just type /start.
consent-thanks = Thank you for agreeing! Each answer is saved at once; type /cancel to stop at any time.
choice-agree = I agree
choice-disagree = I do not agree

ask-name = What is your full name?
error-name = A name has 2 to 80 letters, without digits or symbols. For example: Nguyen Thi Lan.

ask-phone = What is your mobile number? (for example: 0912 345 678)
choice-share-phone = 📱 Send my phone number
error-phone-format = A phone number has only digits (spaces, dots or +84 are fine). For example: 0912 345 678.
error-phone-length = A mobile number has 10 digits, for example 0912 345 678. Please check it.
error-phone-old = This is an old 11-digit number (changed to 10 digits in 2018). Please type the new 10-digit number, for example 0912 345 678.
error-phone-not-mobile = Please type a mobile number (starting with 03, 05, 07, 08 or 09), not a landline.
error-phone-foreign = Only Vietnamese mobile numbers (+84) are accepted for now. For example: 0912 345 678.
error-phone-taken = The number { $phone } is already used by another registration. If that is you on another Zalo or Telegram account, share your number with the "Share my phone number" button (where the app has one) to join the two; otherwise type another number, or contact { $org } for help.
error-contact-not-own = This is not your own number. Please tap the button to send your number, or type your phone number.

ask-birth-date = What is your date of birth? (day/month/year, for example 05/03/1995)
error-date-format = I could not read that date. Please type it as day/month/year, for example 05/03/1995.
error-date-no-such-day = That day is not in the calendar. Please check the day and month, for example 05/03/1995.
error-date-future = That date is in the future. Please check the year.
error-birth-date-too-old = That year of birth does not look right. Please check it, for example 05/03/1995.
age-too-young = Donors must be at least { $min }. You will be old enough on { $date } — thank you for wanting to help! You can stay as a supporter to hear the news and spread the word.
age-too-old = Donors must be between 18 and { $max } years old. Thank you for wanting to help! You can stay as a supporter to hear the news and encourage family and friends.
choice-supporter = Stay as a supporter
choice-fix-birth-date = Type my date of birth again

ask-sex = What is your sex? (used for the weight threshold for donating)
choice-male = Male
choice-female = Female

ask-weight = About how much do you weigh, in kg? (for example: 55)
error-weight-format = Please type your weight as a number of kg, for example 55 or 52.5.
error-weight-range = That weight does not look right (it must be between 30 and 250 kg). Please check it.
error-weight-unit = Please type your weight in kg, for example 55.
note-weight-below = Note: the minimum weight to donate is { $min } kg. You can still register to hear the news, and update your weight later with /edit.

ask-blood-group = What is your blood group? (for example: O+, A Rh−, AB negative). If you do not know, choose "Don't know" — your first donation will tell you.
choice-blood-unknown = Don't know
error-blood-group = I did not understand that blood group. Tap a button, or type something like O+, A-, AB Rh positive, B negative, or "don't know".

ask-province = Which province or city do you live or work in? (for example: Ha Noi, HCMC, Hai Phong)
ask-province-home = Which province or city do you live or work in? If { $province }, choose it below; if elsewhere, type its name (for example: Ha Noi, HCMC).
ask-province-choose = Which of these provinces or cities do you mean?
error-province = I could not find that among the 34 current provinces and cities. Please type the name again, for example: Da Nang, Can Tho, Dak Lak.
note-province-former = { $former } is now part of { $province } (since 1 July 2025). I have noted { $province }.

ask-commune = Which commune or ward do you live in? (for example: Le Chan ward). You may skip this.
choice-skip = Skip
error-commune = Please type the name of your commune or ward (2 to 100 characters), or choose "Skip".

ask-last-donation = What did you give at your last donation?
choice-whole-blood = Whole blood
choice-platelets = Platelets
choice-plasma = Plasma
choice-never = I have never donated
ask-last-donation-date = When was your last donation? (for example 15/08/2026; if you only remember the month, type 8/2026)
error-donation-date-too-early = That date is before the age anyone can donate. Please check it.
error-last-date-format = I could not read that date. Please type the day of your last donation, for example 15/08/2026; if you only remember the month, 8/2026; if you do not remember, "don't remember".
error-last-date-no-such-day = That day is not in the calendar. Please check the day and month, for example 15/08/2026 (or 8/2026 if you only remember the month).

error-choice = Please choose one of the options below (tap a button or type its number).
stale-choice = That button belongs to an earlier question. Here is the current one:

summary =
    Your details:
    • Name: { $name }
    • Phone: { $phone }
    • Date of birth: { $birth }
    • Sex: { $sex }
    • Weight: { $weight }
    • Blood group: { $blood }
    • Province/city: { $province }
    • Commune/ward: { $commune }
    • Last donation: { $last }
    • { $eligibility }
    • Urgent call-outs at night: { $night }
    Is this correct?
choice-confirm = Confirm
choice-edit = Change something

registered =
    You are registered. Thank you! ❤️
    { $eligibility }
    We will tell you about blood drives near you. Type /help to see the commands.
registered-supporter = Thank you for supporting voluntary blood donation! We will send you news of blood drives to share. Type /help to see the commands.
eligible-now = You may donate now.
eligible-from = You may donate again from { $date }.
eligible-date-forgotten = You do not remember when you last gave: the doctor at the drive will ask and check you. If you remember the date, correct it with /edit.
eligible-first-time = You can give for the first time at the next drive. The doctor at the drive will check you and advise you.
eligible-weight = The minimum weight to donate is { $min } kg; update your weight with /edit when you reach it.

ask-night-alerts =
    When a patient urgently needs your blood group, hienmau can message you at night too (21:00–07:00). Do you want urgent call-outs at night?
    (Daytime call-outs come either way; change this any time with /settings.)
choice-night-yes = Yes, at night too
choice-night-no = No, daytime only
field-night-alerts = Urgent call-outs at night
value-night-yes = yes
value-night-no = no (daytime only)
