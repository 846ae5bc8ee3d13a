# The donor's rights and the general commands — English.

edit-menu = What would you like to change?
choice-back = Back
field-name = Name
field-phone = Phone number
field-birth-date = Date of birth
field-sex = Sex
field-weight = Weight
field-blood-group = Blood group
field-province = Province/city
field-commune = Commune/ward
field-last-donation = Last donation
updated = Your details are updated.

value-text = { $text }
value-kg = { $kg } kg
value-not-given = (not given)
value-unknown = don't know
value-skipped = (skipped)
value-never = never donated
value-donation-forgotten = { $kind }, date not remembered
value-donation-month = { $kind }, in { $month }
value-donation = { $kind }, on { $date }
value-phone-verified = { $phone } (verified through the app)
value-rh-unknown = { $abo } (Rh unknown)
value-abo-unknown = Rh{ $rh } (ABO unknown)

help =
    Commands you can use at any time (with or without "/": help, profile, cancel…):
    /profile — see everything we hold about you
    /edit — correct your details
    /pause — pause non-urgent messages; /resume — receive them again
    /language — change language (Tiếng Việt / English)
    /delete — withdraw consent and erase all your data
    /cancel — stop the current question (what you gave is kept)
    /start — start or continue registering; /register — register as a donor
    /drives — blood drives near you: sign up or cancel
    /checkin — your check-in code at a drive; /gave — report that you gave blood today
    /clubs — your clubs; /join <code> — join a club
    /unit — your school or workplace; /family — your family of donors
    /callouts — urgent call-outs waiting for you; /settings — urgent messages, night, deferral
    Club leaders: /newclub, /broadcast, /broadcasts, /leaderboard (club ranking), /dashboard (web pages)
    Coordinators: /record, /report (progress; /report 2026: the year plan; /report Lê Chân: one unit), /target (the year's targets), /dashboard (web page), /newdrive, /newcampaign, /campaigns, /callout (urgent call-out), /stock (blood stock), /grant, /revoke
    Admins: /audit

profile =
    The data we hold about you:
    • Status: { $status }
    • Name: { $name }
    • Phone: { $phone }
    • Date of birth: { $birth }
    • Sex: { $sex }
    • Weight: { $weight }
    • Blood group: { $blood }
    • Province/city: { $province }
    • Commune/ward: { $commune }
    • School/workplace: { $unit }
    • Blood-donor family: { $family }
    • Last donation: { $last }
    • { $eligibility }
    • Agreed to the terms on { $consent_date } (version { $consent_version })
    • Messages: { $messages }
    • Urgent call-outs: { $urgent }; at night: { $night }
    • Language: { $language }
    Change: /edit. Erase everything: /delete.
profile-none = We hold no personal data about you. Type /start to register.
profile-status-registering = registering (not yet confirmed)
profile-status-donor = donor
profile-status-supporter = supporter
profile-messages-on = on
profile-urgent-on = on
profile-urgent-off = off (/settings to turn on)
profile-messages-paused = paused (/resume to receive them again)

language-prompt = Chọn ngôn ngữ / Choose your language:
choice-vietnamese = Tiếng Việt
choice-english = English
language-set = Language set to English.

paused = Non-urgent messages are paused. Type /resume to receive them again.
resumed = You will receive messages about blood drives again.
not-registered = You have not registered, so we hold nothing yet. Type /start to begin.

delete-confirm = Are you sure you want to withdraw your consent and erase all your data? This cannot be undone.
choice-delete-yes = Erase all my data
choice-delete-no = No, keep it
deleted = All your data has been erased. Thank you for being with us! If you want to come back, type /start at any time.
delete-kept = Your details are kept as they were.

cancelled = Stopped. Type /help to see the commands.
cancelled-incomplete = Stopped. What you gave is kept; type /start to continue registering.
nothing-to-cancel = There is no question in progress.
unknown-command = I do not know that command. Type /help to see the commands.
not-understood = I did not understand. Type /help to see what I can do.
welcome-back = Welcome back, { $name }!
text-only = I can only read text messages. Please answer in text.
account-linked = This phone number was already verified for { $name } in another app, so both accounts now share one profile: your details, history and preferences are the same in both places.
slow-down = You are sending messages very fast. I will skip the next ones for a minute; after that, please carry on.
