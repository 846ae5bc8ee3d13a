# The coordinators' web dashboard (issue 18).

dashboard-link-sent = Your sign-in link to the dashboard (single use, valid 10 minutes; do not pass it on): { $url }
web-title = Dashboard · { $org }
web-overview = Overview
web-sign-out = Sign out
web-signed-out = You are signed out. Send /dashboard in chat to come back.
web-sign-in-needed = Send /dashboard to the bot in chat to get a sign-in link (single use, valid 10 minutes).
web-link-refused = This link cannot be used any more: it was used, more than 10 minutes went by, or the account may not sign in. Send /dashboard in chat for a new one.
web-refused = Your account may not see this page.
web-form-refused = This form expired or did not come from the dashboard. Reload the page and try again.
web-server-busy = The server is busy or cannot reach its database right now. Nothing was lost, but what you just sent may not have been saved: reload the page in a minute and check.
web-kpi-units = Blood received (units)
web-kpi-people = People reached
web-kpi-repeat = Repeat donations
web-kpi-donors = Donors
web-kpi-drives = Drives held
web-kpi-target = / { $target }
web-kpi-units-note = { $pct } of target · same period last year: { $last }
web-kpi-donors-note = { $pct } of the population
web-kpi-drives-note = and { $fixed } { $fixed ->
        [one] day
       *[other] days
    } of fixed points open
web-kpi-behind = behind pace
web-kpi-behind-why = { $pct } of the target with { $year_pct } of the year gone
web-year-head = The year plan
web-chart-title = Blood received, cumulative by month (units){ $target ->
        [none] {""}
       *[other] , against the target of { $target } { $target ->
        [one] unit
       *[other] units
    }
    }
web-chart-done = Received
web-chart-pace = Target spread evenly by month
web-by-campaign = By campaign
web-by-unit = By unit
web-by-province = By province
web-chart-provinces = Blood received by { $n } { $n ->
        [one] province
       *[other] provinces
    } (units of blood), against each one's target (the dark line)
web-chart-campaigns = Donations in the latest { $n } { $n ->
        [one] campaign
       *[other] campaigns
    } that have begun, against the target (the dark line)
web-chart-units = Blood received by { $n } { $n ->
        [one] unit
       *[other] units
    } (units of blood), against the target (the dark line)
web-chart-donations = Donations
web-chart-target = Target
web-drives-head = Drives in the next 14 days
web-col-when = When
web-col-place = Where
web-col-signups = Signed up / capacity
web-drives-none = No drives in the next 14 days.
web-nav-label = Pages
web-nav-drives = Drives
web-nav-donations = Record donations
web-nav-callouts = Urgent call-outs
web-nav-broadcasts = Broadcasts
web-nav-stock = Blood stock
web-nav-audit = Audit log
web-not-found = There is no such page (or the item was removed).
web-form-errors = Some fields are not right yet: see the messages below. Nothing was saved.
web-month-head = { $month }/{ $year }
web-month-none = No drives this month yet.
web-weekday-short = { $n ->
        [1] Mon
        [2] Tue
        [3] Wed
        [4] Thu
        [5] Fri
        [6] Sat
       *[7] Sun
    }
web-drives-table = The month's drives
web-col-province = Province
web-col-campaign = Campaign
web-no-campaign = No campaign
web-new-drive = New drive
web-field-commune = Commune/ward (optional)
web-field-date = Day
web-field-start = Starts
web-field-end = Ends
web-field-capacity = Capacity (people)
web-field-target = Target (units of blood, optional)
web-save-drive = Save the drive
web-drive-saved = Drive saved. Donors see it in /drives.
web-drive-cancelled = Drive cancelled; { $n } { $n ->
        [one] person
       *[other] people
    } signed up were told.
web-drive-is-cancelled = This drive was cancelled.
web-signups-head = Signed up
web-signups-none = Nobody has signed up yet.
web-col-name = Name
web-col-group = Blood group
web-col-slot = Time slot
web-col-phone = Phone
web-cancel-drive-head = Cancel the drive
web-cancel-drive-warn = The { $n } { $n ->
        [one] person
       *[other] people
    } signed up will be told this drive is cancelled. This cannot be undone.
web-cancel-drive = Cancel this drive
web-find = Find
web-find-donor = The donor's phone number or check-in code
web-record = Record the donation
web-last-donation = Last donation (remove it if recorded by mistake)
web-donation-recorded = Recorded: this is this person's donation number { $n }.
web-donation-removed = The mistaken donation was removed (and logged). Record the right one if needed.
web-open-callouts = Open urgent call-outs
web-callouts-none = No call-outs.
web-col-callout = Needed
web-col-status = Status
web-col-pledged = Pledged
web-col-deadline = Deadline
web-new-callout = Send an urgent call-out
web-preview = Preview how many donors will be asked
web-callout-started = Call-out sent: the first wave asks { $n } { $n ->
        [one] person
       *[other] people
    }. This page updates itself as pledges arrive.
web-callout-changed = The call-out's change is saved.
web-pledge-marked = Outcome saved.
web-deadline-at = Needed before { $at }
web-callout-actions = Extend, close or cancel
web-extend = Extend
web-close-covered = Close: no more donors needed
web-cancel-callout = Cancel the call-out
web-pledged-of = Pledged { $pledged }/{ $enough } · asked { $asked }
web-donated-no-show = donated { $donated } · no-show { $noshow }
web-waves-head = By wave
web-col-asked = Asked
web-col-declined = Declined
web-col-silent = No answer
web-pledges-head = Pledges (tap a number to call)
web-pledges-none = No pledges yet.
web-col-code = Code
web-col-outcome = Outcome
web-pledge-donated = donated ✓
web-pledge-no-show = did not come ✗
web-mark-donated = Donated
web-mark-no-show = Did not come
web-broadcasts-none = You have not sent any broadcast.
web-broadcasts-hint = Write a broadcast here or with /broadcast in chat; follow its progress and stop it if needed.
web-everyone = All donors
web-broadcast-figures = { $recipients } recipients · sent { $sent } · waiting { $waiting } · not delivered { $failed } · stopped { $cancelled }
web-broadcast-done = Sent.
web-broadcast-stopped-state = Stopped.
web-stop = Stop sending
web-broadcast-stopped = Stopped: { $n } { $n ->
        [one] message
       *[other] messages
    } not yet sent will not be sent.
web-broadcast-over = This broadcast has been sent; there is nothing left to stop.
web-col-units = Units
web-col-threshold = Alert threshold
web-stock-low = below threshold
web-stock-ok = enough
web-set-stock = Update stock
web-save = Save
web-all-actions = All actions
web-col-account = Account
web-col-action = Action
web-col-target = Target
web-col-recipients = Recipients
web-from = From
web-to = To
web-filter = Filter
web-csv = Download CSV

# Leaders' pages and writing a broadcast on the web.
web-nav-clubs = Clubs
web-clubs-none = You lead no club yet (create one with /newclub in chat).
web-col-club = Club
web-col-kind = Kind
web-col-members = Members
web-col-invite = Invite code
web-club-members = { $club }: { $count } { $count ->
        [one] member
       *[other] members
    }
web-club-leader = leader
web-members-search = Search members by name or phone number
web-members-found = { $count } { $count ->
        [one] member matches
       *[other] members match
    } “{ $query }”.
web-members-narrow = Only the first { $n } are shown: type more to narrow it.
web-members-none-found = No member matches “{ $query }”.
web-members-all = See the whole list
web-go-to-page = Go to page
web-go = Go
web-drive-end-before-start = The end ({ $end }) must be after the start ({ $start }).
web-drive-outside-campaign = { $date } is outside the campaign "{ $campaign }" ({ $from } – { $to }): choose a day within it, or change "Campaign" above (it may be "No campaign").
web-page-of = Page { $page } of { $pages }
web-prev-page = ‹ Previous page
web-next-page = Next page ›
web-write-to-club = Write to the members
web-compose = Write a broadcast
web-field-audience = To
web-field-text = Text (at most { $max } characters)
web-preview-broadcast = Preview
web-error-audience = Choose the recipients from the list.
web-broadcast-seen-as = Recipients will see:
web-broadcast-reach = It will go to { $count } { $count ->
        [one] person
       *[other] people
    }. You have { $left } { $left ->
        [one] broadcast
       *[other] broadcasts
    } left today.
web-broadcast-queued = Sending to { $n } { $n ->
        [one] person
       *[other] people
    }; the progress is below.
web-broadcast-held = Taken for { $n } { $n ->
        [one] person
       *[other] people
    }; it is quiet hours, so it goes out when they end.

# Delivery health on the overview.
web-delivery = Messages (the last hour)
web-lane-urgent = Urgent
web-lane-reply = Replies
web-lane-notice = Reminders, thanks
web-lane-bulk = Broadcasts
web-col-lane = Kind
web-col-waiting = Waiting
web-col-due = Longest wait
web-col-sent-hour = Sent
web-col-failed = Not delivered
web-col-retried = Retried (errors, timeouts)
web-col-throttled = Rate-limited by the platform (429)
web-due-minutes = { $n } min
web-delivery-ok = No message that is due has waited over { $n } { $n ->
        [one] minute
       *[other] minutes
    }.
web-delivery-late = Messages that are due have waited over { $n } { $n ->
        [one] minute
       *[other] minutes
    }: check the connection{ $channels ->
    [none] {""}
   *[other] {" "}to { $channels }
} (hienmau status).
web-delivery-late-off = Messages for { $channels } have waited over { $n } { $n ->
        [one] minute
       *[other] minutes
    } because this server does not run that channel: they will go out once it is configured (hienmau check-config).
web-zns-quota = Zalo OA: { $remaining } of { $daily } template messages left today.
web-backup-last = Last backup: { $at } (checked).
web-backup-late = Last backup: { $at }, more than two intervals ago: see the server's logs and the backup folder.
web-backup-never = Backups are scheduled but none has succeeded yet: see the server's logs.
web-backup-none = No backups are scheduled (HIENMAU_BACKUP_DIR). Take one with hienmau backup.
web-only = This is only on the web dashboard: send /dashboard for a sign-in link.
web-nav-donors = Donors
web-donors-intro = Registered donors by province and blood group (the darker, the more people for the column).
web-donors-group = Blood group
web-donors-province = Province
web-donors-total = Total
web-donors-unknown-group = Not known
web-donors-no-province = (province not given)
web-donors-none = No donor has registered yet.
web-reserve-title = Reserve clubs for the Rh-negative groups
web-reserve-intro = Each cell: reserve-club members / Rh-negative donors of that group in the province. A cell without any reserve member is marked: an urgent call-out there has to reach further.
web-reserve-cell = { $reserve } / { $donors }
web-reserve-uncovered = no reserve
web-lookup-title = Look up one donor
web-lookup-phone = Phone number
web-lookup-audited = Every lookup is written to the audit log (who, when, which donor).
web-lookup-bad-phone = This is not a Vietnamese phone number (for example 0912 345 678).
web-lookup-none = No registered donor has this number.
web-lookup-several = { $count } { $count ->
        [one] donor
       *[other] donors
    } gave this number (a typed number is not checked).
web-donor-card =
    • Status: { $status }
    • Name: { $name }
    • Phone: { $phone }
    • Date of birth: { $birth }
    • Sex: { $sex }
    • Weight: { $weight }
    • Blood group: { $blood }
    • Province: { $province }
    • Commune/ward: { $commune }
    • School/workplace: { $unit }
    • Clubs: { $clubs }
    • Last donation ({ $last_source ->
        [record] on record
       *[declared] as they said
    }): { $last }
    • { $eligibility }
    • On record: { $verified } confirmed, { $all } in all
    • Agreed to the terms on { $consent_date } (version { $consent_version })
    • Messages: { $messages }
    • Urgent messages: { $urgent }; at night: { $night }
web-donor-donations = Donations on record
web-donor-donation = { $date }: { $kind }
web-donor-no-donations = No donation on record.
web-upload-calendar-title = Upload a campaign calendar (.toml or .csv file)
web-upload-calendar-hint = The format hienmau campaigns import reads: campaigns, their drives and fixed donation points. A file with errors stores nothing, and every error is named by its line. A campaign of the same name, or a drive at the same place and time, is updated.
web-upload-donations-title = Upload a blood centre's list of donations (.csv)
web-upload-donations-hint = The format hienmau donations import reads: a header line (phone, date, kind, optionally volume and unit; or the Vietnamese Số điện thoại, Ngày hiến, Loại, Thể tích, Đơn vị), then one donation a line. A file with errors stores nothing, and every error is named by its line. A donation already on record is not recorded twice.
web-upload-file = File
web-upload-year = Year
web-upload-send = Upload
web-upload-accept-early = Record early donations too (inside the donor's interval: the lines warned about were checked)
web-upload-none = No file was chosen (or it is empty). Nothing was stored.
web-upload-not-text = This file is not UTF-8 text: save it as "CSV UTF-8"{ $kind ->
    [calendar] {" "}or TOML
   *[other] {""}
} and upload it again. Nothing was stored.
web-upload-bad-year = Not a year this can be for (last year, this year, or up to 5 years ahead). Nothing was stored.
web-upload-unreadable = The upload could not be read (over 4 MB, or cut off). Nothing was stored.
web-upload-rejected = { $count } error(s) in { $file }: nothing was stored. Correct them and upload it again.
web-upload-error-line = Line { $line }: { $message }
web-calendar-imported = Calendar stored: { $n } { $n ->
        [one] drive
       *[other] drives
    }.
web-donations-imported = { $n } new donations recorded from the file.
web-callout-ended = This call-out has ended ({ $how }): it can no longer be extended, closed or cancelled.
web-callout-ended-before = This call-out had already ended (from the chat, or at its deadline): nothing was changed.
web-file-title = File being written
web-file-writing = The file was checked, with no errors, and is being written: { $done } of { $total } { $total ->
        [one] line
       *[other] lines
    }. The bot keeps answering meanwhile; this page updates itself and may be closed without stopping it.
web-file-failed = The file could not be written to the end: { $done } of { $total } { $total ->
        [one] line
       *[other] lines
    } written, then it stopped (see the server logs). Uploading the same file again writes what is missing, nothing twice.
web-file-back = Back
web-edit-drive = Edit the drive
web-drive-slots-kept = Sign-up slots: { $slots }. A slot that no longer fits the new hours is dropped, and the donors signed up for it are told.
web-drive-edited = Changes saved. { $n ->
    [0] Nobody needed to be told.
    [one] The donor signed up was told.
   *[other] The { $n } { $n ->
        [one] donor
       *[other] donors
    } signed up were told.
}
staff-eligible-now = May give blood now.
staff-eligible-from = May give blood again from { $date }.
staff-eligible-first-time = Has never given: may join the next drive, where the doctor examines and advises.
staff-eligible-date-forgotten = Does not remember the last donation: the doctor at the drive will ask and examine.
staff-eligible-weight = Below the minimum weight ({ $min } kg) by what they said.
