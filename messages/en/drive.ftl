# Drives, sign-ups, reminders, donations, campaigns and the progress report.

weekday = { $day ->
    [mon] Monday
    [tue] Tuesday
    [wed] Wednesday
    [thu] Thursday
    [fri] Friday
    [sat] Saturday
   *[sun] Sunday
}

# Two items of a list, the second possibly a list itself: "Thứ Ba, Thứ Năm".
list-pair = { $a }, { $b }
# An empty list, as the selector of a message that has one (not shown to anyone).
list-none = none

drives-need-registration = Please register as a donor first (type /start), then I will find drives near you.
drives-none = There are no upcoming drives yet. I will tell you when a new one opens.
drives-near = Upcoming blood drives (near you first):
drives-all = Upcoming blood drives:
drives-from = You may give again from { $date }. These are the drives from that day (near you first):
drives-pick = Choose a drive to see it and sign up.
drive-card =
    { $campaign ->
        [none] {""}
       *[other] 🩸 { $campaign }
    }
    📅 { $weekday } { $date }, { $time }{ $open_days ->
        [none] {""}
       *[other] {" "}(a fixed point, open every { $open_days })
    }
    📍 { $place } ({ $where })
    { $state ->
        [mine] ✓ You are signed up{ $slot ->
            [none] .
           *[other] , time slot { $slot }.
        }
        [full] ⛔ This drive is full ({ $capacity }).
        [cancelled] ⛔ This drive was cancelled.
       *[open] { $left }/{ $capacity } places left.
    }
drive-menu = What would you like to do?
choice-sign-up = Sign up
choice-cancel-sign-up = Cancel my sign-up
choice-edit-drive = Edit the drive
choice-cancel-drive = Cancel the drive
choose-slot = Choose a time slot (places left in brackets):
slot-full = That slot just filled up. Please choose another.
signed-up =
    Signed up! I will remind you before the day.
    { $drive }
    Before donating: sleep well, eat a light meal (nothing fatty), drink water, bring an ID. The doctor at the drive examines you and decides.
    Type /checkin at the drive to get your check-in code.
sign-up-already = You are already signed up for this drive.
sign-up-not-yet = On that day your interval since the last donation is not over yet: you may give again from { $date }.
drive-full = This drive is full and no other drive has room yet. I will tell you when a new one opens.
drive-full-next = This drive is full. These still have room:
drive-closed = This drive has started, ended or was cancelled.
sign-up-cancelled = Your sign-up at { $place } on { $date } is cancelled. Thank you for telling us!

checkin-code =
    Your check-in code: { $code }
    Show it to the staff at the drive so they can record your donation. Valid until { $until }.
self-report-ask = What did you give today?
self-reported = Thank you! I noted today's donation (reported by you, not yet confirmed by the blood centre) and worked out when you may give again.
donation-already-recorded = This donation was already recorded.

record-ask = The donor's phone number or check-in code? (type "done" when finished)
record-bad-query = That is neither a phone number (10 digits) nor a check-in code (6 characters). Please type it again, or "done".
record-not-found = No registered donor has this number or code (check-in codes are valid for the day).
record-several = Several donors share this number. Please use the donor's check-in code (/checkin).
record-found = { $name } · blood group { $blood } · { $eligible }
record-eligible-now = may give now
record-eligible-from = may give again only from { $date }
record-kind-ask = What did the donor give?
record-drive-ask = At which drive?
choice-no-drive = Not at a drive
record-early-confirm = ⚠️ { $name } may give again only from { $next } (the previous donation's interval is not over). Recording another now is usually a mistake. Record it anyway?
choice-record-anyway = Record anyway
choice-dont-record = Do not record
record-not-recorded = Nothing recorded. Type the next donor's phone or check-in code, or "done".
record-remove-confirm = Remove { $name }'s { $kind } donation of { $date } (recorded by mistake)? Their next eligible date goes back to follow the donation before it.
choice-remove-donation = Remove a mistaken donation ({ $kind }, { $date })
choice-remove-yes = Remove this donation
record-not-removed = Nothing removed.
record-removed = Removed { $name }'s { $kind } donation of { $date } (written to the audit log). Type the next donor, or "done".
record-done-one = { $first ->
        [yes] Recorded donation number { $count } of { $name } (their first).
       *[no] Recorded donation number { $count } on record of { $name } (they had given before).
    }
record-done = Done. Thank you!

drive-ask-campaign = Which campaign is the drive part of?
choice-no-campaign = No campaign
drive-ask-place = Where? (name and address, e.g. Hai Phong University, 171 Phan Dang Luu)
drive-ask-province = Province or city?
drive-province-which = That matches: { $names }. Please type more of the name.
drive-ask-commune = Commune or ward? (you may skip)
drive-ask-date = Which day? (e.g. 06/12 or 06/12/2026)
drive-ask-time = What time? (e.g. 7:30-11:30)
drive-ask-capacity = How many donors can it take at most?
drive-ask-target = Target in units of blood? (you may skip)
drive-ask-slots = Split into time slots? Type them separated by commas, e.g. 7:30-9:00, 9:00-10:30 (you may skip).
drive-bad-place = The place needs 3 to 200 characters.
drive-bad-date = That date is not right or has passed. E.g. 06/12 or 06/12/2026.
drive-bad-time = That time is not right: give a start and an end, e.g. 7:30-11:30.
drive-bad-count = Please give a positive number, e.g. 300.
drive-bad-slots = Those slots are not right: each must be within the drive's hours and not overlap, e.g. 7:30-9:00, 9:00-10:30.
drive-summary =
    Please check the drive:
    • Campaign: { $campaign ->
        [none] (none)
       *[other] { $campaign }
    }
    • Place: { $place }
    • Province: { $province }{ $commune ->
        [none] {""}
       *[other] , { $commune }
    }
    • Day: { $date }, { $time }
    • Takes: { $capacity } { $capacity ->
        [one] donor
       *[other] donors
    }
    • Target: { $target ->
        [none] (none)
       *[other] { $target } { $target ->
        [one] unit
       *[other] units
    }
    }
    • Time slots: { $slots ->
        [none] (none)
       *[other] { $slots }
    }
choice-save = Save
choice-discard = Discard
choice-change-field = Change { $field }
drive-field-campaign = campaign
drive-field-place = place
drive-field-province = province
drive-field-commune = commune
drive-field-date = day
drive-field-time = time
drive-field-capacity = capacity
drive-field-target = target
drive-field-slots = time slots
drive-outside-campaign = { $date } is outside the campaign "{ $campaign }" ({ $from } – { $to }): not saved. Type a day within it; to change the campaign, pick "Campaign" at the review.
drive-created = Drive created. Donors see it in /drives.
drive-updated = Changes saved. { $notified ->
    [0] {""}
   *[other] { $notified } signed-up donors were told.
}
confirm-cancel-drive = Cancel the drive at { $place }? The { $signups } { $signups ->
        [one] donor
       *[other] donors
    } signed up will be told.
drive-cancelled-done = Drive cancelled. { $notified } signed-up donors were told.

campaign-ask-name = The campaign's name? (e.g. Red Sunday, December)
campaign-bad-name = The name needs 3 to 80 characters.
campaign-ask-dates = From which day to which day? (e.g. 01/12 - 31/12)
campaign-bad-dates = Not quite: give two days to come, e.g. 01/12 - 31/12.
campaign-ask-units = Target in units of blood? (e.g. 500 or 500-600; you may skip)
campaign-ask-people = Target number of people reached? (you may skip)
campaign-summary =
    Please check the campaign:
    • Name: { $name }
    • Dates: { $from } – { $to }
    • Target: { $units ->
        [none] (none)
       *[other] { $units } { $units ->
        [one] unit
       *[other] units
    }
    }{ $people ->
        [none] {""}
       *[other] , { $people } { $people ->
        [one] person
       *[other] people
    } reached
    }
campaign-created = Campaign "{ $name }" created. Add drives with /newdrive.
campaign-exists = This year already has a campaign of that name. Please choose another.

campaigns-pick = Choose a campaign to see and edit:
campaigns-none = No campaign to come yet. Create one: /newcampaign.
campaign-updated = Changes to "{ $name }" saved.
campaign-field-name = name
campaign-field-dates = dates
campaign-field-units = unit target
campaign-field-people = people target

report =
    Progress in { $year }: { $active } of { $campaigns } { $campaigns ->
        [one] campaign
       *[other] campaigns
    } under way.
    { $lines }
    { $other }
    Total: { $total }
report-other = Donations outside campaigns: { $donations }{ $repeat ->
        [none] {""}
       *[other] , { $repeat }% repeat donors
    }{ $signups ->
        [0] {""}
       *[other] ; { $signups } signed up outside campaigns
    }
report-csv-header = level,campaign,drive,date,province,signups,donations,target_units_min,target_units_max,units_percent,people_reached,target_people,repeat_percent
report-level-campaign = campaign
report-level-drive = drive
report-level-other = other
report-level-total = total
report-line = { $name ->
        [none] {""}
       *[other] { $name }: {""}
    }{ $signups } signed up, { $donations } { $donations ->
        [one] donation
       *[other] donations
    }{ $target ->
        [none] {""}
       *[other] /{ $target } { $target ->
        [one] unit
       *[other] units
    } ({ $percent }%)
    }{ $reached ->
        [0] {""}
       *[other] , { $reached } { $reached ->
        [one] person
       *[other] people
    } reached
    }{ $repeat ->
        [none] {""}
       *[other] , { $repeat }% repeat donors
    }

# Sent by the scheduler.
reminder-drive =
    🔔 Your blood drive is { $when ->
        [today] today
        [tomorrow] tomorrow
       *[other] in { $days } { $days ->
        [one] day
       *[other] days
    }
    }:
    📅 { $date }, { $time }
    📍 { $place }
    Sleep well, eat a light meal and bring an ID. Cannot come? Type /drives to cancel.
eligible-again =
    From today you may give blood again. Thank you for your earlier donations!
    { $drives ->
        [none] Type /drives to find a drive when a new one opens.
       *[other] Drives near you:
        { $drives }
        Type /drives to sign up.
    }
campaign-announce =
    🩸 { $name } ({ $from } – { $to })
    { $note ->
        [none] {""}
       *[other] { $note }
    }
    Drives:
    { $drives }
    Type /drives to sign up.
thanks-donation = Thank you for giving blood on { $date }! Your blood will reach a patient who needs it. You may give again from { $next }. This is your donation number { $count } on record.
thanks-first = Thank you for your first blood donation on { $date }! You will receive the voluntary donor certificate. You may give again from { $next }.
thanks-milestone = 🎉 Congratulations on your donation number { $count } (on { $date })! Thank you for giving again and again. You may give again from { $next }.
honours-day = 🌹 On World Blood Donor Day, 14 June, thank you for the precious blood you have given. Each donation has helped save a patient's life.
drive-changed =
    The drive you signed up for has changed:
    { $drive }
    Cannot come any more? Type /drives to cancel.
drive-slot-removed =
    The hours of the drive you signed up for have changed and the time slot you chose is gone. Your place is kept: come within the new hours.
    { $drive }
    Cannot come any more? Type /drives to cancel.
drive-slots-no-longer-fit = The new hours no longer hold the slot(s) { $gone }. { $kept_count ->
        [0] No slot fits any more: type new slots, or skip to have none.
       *[other] Still fitting: { $kept }. Keep those, or type the slots again.
    }
choice-keep-slots = Keep the slots that fit
drive-cancelled-notice = We are sorry: the blood drive at { $place } on { $date } was cancelled. Type /drives to find another. Apologies for the trouble!
signup-released-notice = You gave blood on { $gave }, so your place at { $place } on { $date } has been given to someone else (you may give again from { $next }). Thank you!

terminal-quit = (Type /quit or press Ctrl-D to leave; everything saved stays.)
terminal-bad-bytes = (The line just typed had characters that could not be read — is the terminal not in UTF-8? — they were replaced by "�".)
demo-clock = ⏩ It is now { $now } (demo clock, shared by every terminal on this database).
demo-clock-usage = I did not understand "{ $arg }". Use: /clock (show it), /clock +30m, /clock +2h, /clock +3d, or /clock YEAR-MONTH-DAYTHOUR:MINUTE (e.g. /clock 2027-01-05T19:00), Vietnam time. Terminal demo only.
demo-clock-backwards = The demo clock never goes back (what already ran would not run again): it is already { $now }. Pick a later time, or /clock +1h.
demo-clock-too-far = At most 10000 minutes, hours or days at a time.
demo-clock-ahead = This database's demo clock is already at { $now } (another terminal moved it): using that.
demo-loaded = Demo: the Hải Phòng year is loaded for { $year } and { $next } (targets and units, { $campaigns } { $campaigns ->
        [one] campaign
       *[other] campaigns
    }, { $points } fixed points, { $drives } { $drives ->
        [one] drive
       *[other] drives
    }). /drives lists those to come; /report { $year } shows the year; /clock +1d moves time on.
demo-dashboard = The web dashboard runs alongside this chat: open { $link } in a browser (the link works once, within 10 minutes; for a new one: hienmau dashboard link { $account }).
demo-dashboard-unavailable = The web dashboard could not listen on { $addr } ({ $error }): set HIENMAU_LISTEN, for example 127.0.0.1:8081. The chat goes on.
cli-donor-not-found = No registered donor has this number.
cli-donor-several = This number belongs to several registrations: find the donor by check-in code in /record.
cli-no-donations = No donation on record yet.
cli-donations-header = No · Date · Kind · Confirmed · Source
cli-donation-line = { $id } · { $date } · { $kind } · { $verified } · { $source }
cli-verified = recorded by the centre
cli-self-reported = self-reported
cli-no-such-donation = There is no donation number { $id }.
cli-donation-removed = Removed donation number { $id } ({ $kind }, { $date }); written to the audit log.
cli-stock-none = No stock level set yet.
cli-stock-header = group	units	threshold
cli-stock-low = low

# The year plan (hienmau plan report).
plan-report-title = Plan for { $year }: figures up to { $date } ({ $year_pct }% of the year gone)
plan-report-none = No targets for { $year } yet. Load a plan: hienmau plan load FILE.toml
plan-report-units = • Blood received: { $done } / { $target } { $target ->
        [one] unit
       *[other] units
    } ({ $pct } of target); same period last year: { $last } { $last ->
        [one] unit
       *[other] units
    }
plan-report-behind = ⚠ Behind pace: { $pct }% of the target with { $year_pct }% of the year gone.
plan-report-people = • People reached: { $reached } (target { $target })
plan-report-repeat = • Repeat donations: { $pct } of donations (target { $target })
plan-report-population = • Donors: { $donors } { $donors ->
        [one] person
       *[other] people
    }, { $pct } of the population (target { $target })
plan-report-drives = • Drives held: { $done } (target { $target }){ $fixed ->
        [0] {""}
       *[other] ; fixed points open on { $fixed } { $fixed ->
        [one] day
       *[other] days
    }
    }
plan-report-months = By month (units): { $months }
plan-report-units-head = By allocated unit:
plan-report-provinces-head = By province:
plan-report-province = • { $name } — { $done } / { $target } units ({ $pct }){ $behind }; { $donations } { $donations ->
        [one] donation
       *[other] donations
    }, { $repeat } repeat; { $reached } people reached; { $drives } { $drives ->
        [one] drive
       *[other] drives
    }
plan-report-unit = • { $name }{ $illustrative } — { $done } / { $target } { $target ->
        [one] unit
       *[other] units
    } ({ $pct }){ $behind }
plan-report-unit-behind = {" "}⚠ behind pace
plan-report-illustrative = (* an illustrative allocation, not the steering committee's.)
plan-report-none-value = —
plan-csv-header = level,code,name,kind,target_units,units,target_percent,year_percent,behind,donations,units_last_year
plan-level-province = province
plan-level-unit = unit
plan-level-month = month
plan-behind-yes = yes
plan-loaded = Plan for { $year } stored: { $targets ->
        [yes] the year's targets and { $units } { $units ->
        [one] unit
       *[other] units
    }
       *[other] { $units } { $units ->
        [one] unit
       *[other] units
    }
    }.
plan-no-unit = No unit has “{ $unit }” in its name or code. Type /report plan to see the whole year.

# The year's honours (hienmau plan honours), for the 14/6 ceremony.
honours-title = Honours { $year } (figures to the end of { $date })
honours-donors-head = Donors who reached a milestone this year ({ $n }):
honours-donor = • { $tier } { $tier ->
        [one] donation
       *[other] donations
    }: { $name }{ $province ->
        [none] {""}
       *[other] {" "}({ $province })
    } — { $total } { $total ->
        [one] donation
       *[other] donations
    }
honours-clubs-head = Clubs ({ $n }), by members' donations:
honours-units-head = Units that met their allocation ({ $n }):
honours-unit = • { $name } — { $done } / { $target } { $target ->
        [one] unit
       *[other] units
    } of blood
honours-csv-header = kind,tier or rank,name,province,donations,last donation,clubs,new donors,repeat (%),target (units),done (units)
honours-kind-donor = donor
honours-kind-club = club
honours-kind-family = family
honours-families-head = Blood-donor families ({ $n }), who joined together with /family:
honours-family = • { $names } — { $year } { $year ->
        [one] donation
       *[other] donations
    } this year, { $total } in all
honours-kind-unit = unit

# The donor's school or workplace (one of the year plan's units), asked once after
# registering and with /unit; skippable.
ask-unit = Which school, office or company do you study or work at? Type its name (for example: Hàng hải), so that your club and your unit see what you give. Tap Skip if you would rather not say.
choose-unit = Which one is yours?
choice-unit-retry = None of these, type again
unit-not-found = No unit of the year plan has a name like that. Type again (part of the name is enough), or tap Skip.
unit-saved = Noted: you belong to { $unit }. Your donations count for it unless you give at another unit's drive. Change: /unit.
unit-skipped = No problem. Type /unit whenever you want to name your school or workplace.
unit-none = The year plan has no schools, offices or companies to choose from yet.
profile-family = code { $code } (/family)
profile-family-none = not joined (/family)
profile-unit-none = not given (/unit)

# A target of the year set in chat (/target) or on the command line (hienmau plan target).
plan-targets =
    Targets for { $year }:
    • Blood: { $units } { $units ->
        [one] unit
       *[other] units
    }
    • People reached: { $people }
    • Repeat donations: { $repeat }
    • Population: { $population }; share taking part: { $share }
    • Drives: { $drives }
plan-target-usage =
    Type the year (if not this one), the target, then the figure, for example:
    /target 2026 units 30000
    /target people 58000-61000
    /target repeat 70%
    /target population 2100000 · /target share 1.1% · /target drives 160
