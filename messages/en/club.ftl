# Clubs, roles and announcements — English.

role-admin = admin
role-coordinator = coordinator
role-leader = club leader (may create clubs)

club-kind-university = University or school club
club-kind-workplace = Workplace club
club-kind-community = Community club
club-kind-reserve = Reserve / rare-blood on-call team

audience-club = the members of { $name }
audience-province = donors in { $name }
audience-blood = donors of group { $group }
audience-all = all donors

club-invite = Invite code: { $code } (members send /join { $code } to join)
club-invite-with-link =
    Invite code: { $code } (members send /join { $code } to join)
    Telegram link: { $link }
club-needs-registration = Please finish registering first (type /register); then you can join or create a club.
join-bad-code = An invite code is 6 letters and digits, for example K7QX2M. Please check it.
join-after-registration = To join the club you need to register first. I will add you to the club as soon as you are done.
ask-join-code = Please send the club's invite code (6 characters, from the club leader).
join-no-such-code = No club has this code. Please ask the club leader again.
joined = You joined { $name }. You will get the club's announcements; mute them or leave with /clubs.
joined-already = You are already a member of { $name }.

clubs-none = You have not joined any club yet. With an invite code, send /join and the code, e.g. /join K7QX2M.
clubs-list =
    Your clubs (★ you lead it, 🔕 muted):
    { $clubs }
choose-club = Choose a club to open:
club-gone = You are no longer in this club.
club-card =
    { $name }
    • Kind: { $kind }
    • Members: { $members }
    • Your role: { $role }
    • Announcements: { $muted }
club-role-leader = leader
club-role-member = member
club-muted-yes = muted
club-muted-no = on
choice-club-broadcast = Send an announcement
choice-club-members = Members
choice-club-invite = Invite code
choice-club-mute = Mute announcements
choice-club-unmute = Unmute announcements
choice-club-leave = Leave the club
club-left = You left { $name }.
club-last-leader = You are the club's only leader, so you cannot leave yet. Ask a coordinator to hand the club to someone else first.
club-muted-now = { $name } is muted. You are still a member.
club-unmuted-now = { $name } is unmuted.

members-list =
    Members of { $club }{ $query ->
        [none] {""}
       *[other] {" "}matching “{ $query }”
    }: { $count } (page { $page }/{ $pages })
    { $members }
members-none-found = No member of { $club } matches “{ $query }”. Type another name or phone number to search, "all" for the whole list, /cancel to stop.
members-pick-number = To remove someone from the club, send their number; type a name or phone number to search, "back" to go back, "page 5" to go to page 5; /cancel to stop.
members-pick-number-or-next = To remove someone from the club, send their number; type a name or phone number to search, "next" for the next page, "back" to go back, "page 5" to go to page 5; /cancel to stop.
member-remove-confirm = Remove member number { $number } from { $club }?
member-remove-confirm-named = Remove { $name } (number { $number }) from { $club }?
choice-remove = Remove from the club
choice-keep = Keep
member-removed = { $name } was removed from the club.
member-kept = Nobody was removed.

ask-club-name = What is the club's name? (for example: Vietnam Maritime University blood donor club)
error-club-name = A club name needs 3 to 80 characters, with letters.
ask-club-kind = What kind of club is it?
club-created =
    { $name } is created. You are its leader.
    { $invite }
    To announce something to the members: /broadcast.

not-allowed = You are not allowed to use this command. If you need it, contact a Red Cross coordinator.

broadcast-no-club = You do not lead any club yet, so you cannot send announcements.
ask-audience = Who is the announcement for?
choice-audience-province = Donors of one province
choice-audience-blood = Donors of one blood group
choice-audience-all = All donors
ask-audience-province = Which province or city?
error-province-ambiguous = That matches several provinces. Please type more of the name.
ask-audience-blood = Which blood group?
ask-announcement = What is the announcement for { $audience }? (at most { $max } characters; /cancel to stop)
error-announcement-length = An announcement needs some text and at most { $max } characters (yours has { $count }).
broadcast-preview =
    Preview of the announcement for { $audience }:
    ————
    { $text }
    ————
    It will go to { $count } { $count ->
        [one] person
       *[other] people
    }. You have { $left } { $left ->
        [one] announcement
       *[other] announcements
    } left today.
choice-send = Send
choice-rewrite = Rewrite
choice-drop = Cancel
broadcast-dropped = Cancelled; nothing was sent.
broadcast-nobody = Nobody to send to right now (members muted the club, paused messages or have not finished registering). Nothing was sent.
broadcast-cap = You have sent { $cap } { $cap ->
        [one] announcement
       *[other] announcements
    } today, the daily maximum. You can send more tomorrow.
broadcast-queued = Sending announcement #{ $id } to { $count } { $count ->
        [one] person
       *[other] people
    }. I will report progress and the result; see or stop it with /broadcasts.
broadcast-held = It is night-time now: the announcement goes out from { $time } tomorrow morning.
broadcasts-none = You have not sent any announcement yet.
broadcast-line = #{ $id } { $audience } — { $status }: sent { $sent }/{ $recipients }, failed { $failed }, unreachable { $unreachable }, stopped { $cancelled }, waiting { $waiting }{ $uncertain ->
        [0] {""}
       *[other] , uncertain { $uncertain } (being sent when the bot stopped; not sent again, to avoid duplicates)
    }.
broadcast-status-running = sending
broadcast-status-done = done
broadcast-status-cancelled = stopped
broadcasts-stop-ask = Stop an announcement that is still going out?
choice-stop-broadcast = Stop #{ $id }
broadcast-cancelled = Announcement #{ $id } stopped: { $stopped } { $stopped ->
        [one] message
       *[other] messages
    } not yet sent will not go out.
broadcast-over = Announcement #{ $id } has already finished or been stopped.
broadcast-progress = Announcement #{ $id } ({ $audience }) so far: sent { $sent }/{ $recipients }, failed { $failed }, unreachable { $unreachable }, waiting { $waiting }{ $uncertain ->
        [0] {""}
       *[other] , uncertain { $uncertain } (being sent when the bot stopped; not sent again, to avoid duplicates)
    }.
broadcast-summary = Announcement #{ $id } ({ $audience }) is done: sent { $sent }/{ $recipients }, failed { $failed }, unreachable (blocked the bot) { $unreachable }, stopped { $cancelled }{ $uncertain ->
        [0] {""}
       *[other] , uncertain { $uncertain } (being sent when the bot stopped; not sent again, to avoid duplicates)
    }.
broadcast-from-club =
    📣 From { $club }:

    { $text }

    (To mute this club: /clubs)
broadcast-from-org =
    📣 From { $org }:

    { $text }

    (To pause messages: /pause)

grant-usage = Usage: /grant <role> <phone number>, e.g. /grant coordinator 0912345678. Roles: admin, coordinator, leader.
revoke-usage = Usage: /revoke <role> <phone number>, e.g. /revoke leader 0912345678.
role-in-province = { $role } — { $province }
role-granted = Role granted: { $role }.
role-granted-notice = You have been given the role { $role } on hienmau. Type /help to see the new commands.
role-revoked-notice = Your role { $role } on hienmau was withdrawn. You remain a member of your clubs.
role-already = This person already has the role { $role }.
role-revoked = Role revoked: { $role }.
role-not-held = This person does not have the role { $role }.
role-no-such-donor = No registered donor has this phone number.
role-several-donors = Several people registered this phone number; roles cannot be granted by chat. Use `hienmau admin grant` on the server.
role-last-admin = This is the last admin; make someone else an admin first.

audit-empty = The audit log is empty.
audit-list =
    Recent privileged actions (time · account · action · target · recipients):
    { $lines }
audit-broadcast-cancel = broadcast cancelled
audit-broadcast-send = broadcast sent
audit-callout-start = call-out started
audit-callout-wave = call-out wave
audit-callout-fulfilled = call-out closed
audit-callout-cancelled = call-out cancelled
audit-callout-expired = call-out expired
audit-callout-extend = call-out extended
audit-callout-donated = pledger donated
audit-callout-no-show = pledger did not come
audit-campaign-create = campaign created
audit-campaign-edit = campaign edited
audit-club-create = club created
audit-club-remove-member = member removed
audit-donation-record = donation recorded
audit-donation-remove = donation removed
audit-drive-cancel = drive cancelled
audit-drive-create = drive created
audit-drive-edit = drive edited
audit-role-grant = role granted
audit-role-revoke = role revoked
audit-stock-alert = low-stock alert
audit-donor-lookup = looked up a donor by phone
audit-calendar-import = uploaded a campaign calendar
audit-donations-import = uploaded a centre's donations file
audit-honours-export = exported the honours list
audit-plan-target-set = set a target of the year
audit-stock-set = stock set

# The contest among donor clubs (/leaderboard), for leaders and coordinators.
leaderboard =
    🏆 Club leaderboard { $year } ({ $clubs } { $clubs ->
        [one] club
       *[other] clubs
    }), by members' donations:
    { $lines }
    (new: members who gave for the first time this year; repeat: share of donations by people who had given before)
leaderboard-line = { $rank }. { $mine ->
        [yes] ⭐ {""}
       *[no] {""}
    }{ $name } — { $donations } { $donations ->
        [one] donation
       *[other] donations
    }, { $new } new donors, repeat { $repeat ->
        [none] —
       *[other] { $repeat }%
    } · { $members } { $members ->
        [one] member
       *[other] members
    }
leaderboard-empty = There are no clubs yet.

# Families who give blood together (/family), opt-in, for the yearly honours.
family-none =
    Do several people in your family give blood? Join to be listed as an "exemplary blood-donor family" at the yearly honours.
    Tap Create a family to get a code and send it to your relatives, or type the code a relative sent you. Your name appears only in the steering committee's honours list.
family-show = Your family: { $members } { $members ->
        [one] person
       *[other] people
    } have joined. Family code: { $code } — relatives type /family { $code } to join.
family-bad-code = No family has that code. A code has 6 characters, for example ABC-DEF.
family-left = You left the family. Type /family whenever you want to join again.
choice-family-create = Create a family
choice-family-leave = Leave the family
