# Urgent blood call-outs (issue 6).

callout-line = { $group } · { $component } · { $units } { $units ->
        [one] unit
       *[other] units
    } · { $hospital } ({ $province }) · by { $deadline }
callout-ask-group = The patient's blood group? (e.g. O-, AB+; both ABO and Rh)
callout-ask-component = Which component?
callout-ask-units = How many units? (1–50)
callout-ask-hospital = Hospital? (e.g. Viet Tiep Friendship Hospital)
callout-ask-address = Where should donors go? (e.g. Haematology, 1 Nha Thuong, Le Chan)
callout-ask-province = The hospital's province or city?
callout-ask-deadline = Needed by when? (e.g. 18h, 24/11 7h30, in 6 hours)
callout-ask-note = A note for donors (or skip)?
callout-bad-group = The group must give both ABO and Rh, e.g. O-, A+, AB-.
callout-bad-units = From 1 to 50 units, e.g. 2.
callout-bad-deadline = I did not understand the deadline. Examples: 18h, 24/11 7h30, in 6 hours.
callout-deadline-past = That time has passed. Please give another deadline.
callout-deadline-far = The deadline can be at most { $hours } { $hours ->
        [one] hour
       *[other] hours
    } from now.
callout-bad-note = A note is at most 300 characters.
callout-field-group = blood group
callout-field-component = component
callout-field-units = units
callout-field-hospital = hospital
callout-field-address = address
callout-field-province = province
callout-field-deadline = deadline
callout-field-note = note
callout-review =
    Check the call-out:
    { $line }
    Address: { $address }
    Note: { $note }
    Matching donors (cumulative): reserve clubs in the province { $reserve_province } · reserve clubs nationwide { $reserve } · plus the whole province { $province_all } · nationwide { $all }.
    { $elsewhere }
    The first wave asks { $first } { $first ->
        [one] person
       *[other] people
    }.
callout-elsewhere = Beyond the province, matching donors: { $donors }, in { $provinces } other { $provinces ->
        [one] province
       *[other] provinces
    }; the wider steps may ask them (you see the names and phones of those who pledge only).
callout-elsewhere-none = Beyond the province: no matching donor.
choice-callout-send = Send now
callout-started = Call-out #{ $id } sent: wave 1 asks { $asked } { $asked ->
        [one] person
       *[other] people
    }. Pledges will be reported here. /callouts to follow it.
callout-tally =
    Call-out #{ $id } — { $status }
    { $line }
    Pledged { $pledged }/{ $enough } · asked { $asked } · declined { $declined } · no answer { $silent }
    Donated { $donated } · did not come { $noshow }
    By wave (asked / pledged / declined / no answer):
    { $waves }
    Next wave: { $next }
callout-ask-waiting = An urgent blood call-out is waiting for your answer (the message above): type 1 if you can come, 2 if not this time, or /callouts to see it again.
callout-ask-explain = The urgent message above comes from { $org } through hienmau: a hospital urgently needs donors whose blood group suits the patient, and you are one of the donors who could help. You are under no obligation. Type 1 if you can come, 2 if not this time, or /callouts to see the address and deadline.
callout-ask-undecided = No problem, take your time. When you have decided, answer the urgent call above: 1 if you can come, 2 if not this time (or tap a button below). Type /callouts to see the address and deadline again.
callout-status-closed-early = closed before enough pledges
callout-cancelled-silent = The { $group } call-out at { $hospital } was cancelled: you need not come. Thank you!
callout-expired-silent = The { $group } call-out at { $hospital } has expired: you need not come any more. Thank you — we hope you can help next time.
callout-expired-pledged = The { $group } call-out at { $hospital } has expired. Thank you for pledging! If you have not gone yet, you need not go.
callout-closed-early = The { $group } call-out at { $hospital } was closed: the hospital needs no more donors. Thank you for being ready — you need not come.
callout-confirm-close = Close this call-out? Nobody more will be asked; those who have not answered are told they need not come.
callout-closed-done = Call-out #{ $id } is closed ({ $status }). The final tally follows this message.
callout-started-held = Of those, { $held } do not take night-time emergencies: they will get it at { $at }, when the quiet hours end.
callout-tally-hint = /callouts to see who pledged, extend or cancel.
callout-status-open = looking for donors
callout-status-fulfilled = covered
callout-status-cancelled = cancelled
callout-status-expired = expired
callouts-none = No call-out is open or recently closed. /callout to start one.
callouts-none-for-you = No call-out is waiting for you. Thank you for being ready!
callouts-pick = Choose a call-out:
callout-not-found = That call-out was not found.
choice-refresh = Refresh figures
count = { $n }
count-more-than = more than { $n }
choice-manage-callout = Manage (extend, cancel, pledges)
choice-pledges = Pledged donors
choice-extend = Extend deadline
choice-close-fulfilled = Close — no more donors needed
choice-cancel-callout = Cancel the call-out
callout-ask-new-deadline = New deadline? (e.g. 22h, 25/11 8h, in 6 hours)
callout-confirm-cancel = Cancel this call-out? Those who have not answered will be told it is no longer needed.
pledges-none = Nobody has pledged yet.
pledges-pick = Pledged donors (choose one to record the outcome):
pledge-mark-ask = { $who }: donated, or did not come?
choice-donated = Donated
choice-no-show = Did not come
pledge-marked-donated = Donation recorded. Thank you!
pledge-marked-no-show = Recorded: did not come.
pledge-already-marked = This pledge was already recorded.
callout-ask =
    🆘 BLOOD NEEDED URGENTLY: { $line }
    { $note }
    Can you come and give? Answer 1 or 2.
choice-callout-yes = I can come
choice-callout-no = Not this time
callout-pledged =
    Thank you! Your pledge code: { $code }
    Go to: { $hospital } — { $address }, before { $deadline }.
    Bring your ID card; eat lightly, drink water, no alcohol before giving. Show this code when you arrive.
    If you can no longer come, type /callouts to tell us.
callout-declined-thanks = Thank you for answering. See you next time!
callout-already-covered = This call-out is already covered or over. Thank you very much!
callout-covered = The call-out for { $group } at { $hospital } is covered. Thank you for being ready — no need to come.
callout-cancelled-pledged = The call-out for { $group } at { $hospital } was cancelled: no need to come. Thank you!
callout-expired-owner = Call-out #{ $id } has expired.
stock-usage = Usage: /stock O- 3 (units) or /stock O- 3 10 (units, alert threshold).
stock-none = No stock level set yet. Example: /stock O- 3 10
stock-list =
    Stock (units / threshold):
    { $lines }
stock-saved = Stock level saved.
stock-alert = Blood stock of group { $group } is low ({ $units } { $units ->
        [one] unit
       *[other] units
    }). If you can give in the coming days, type /drives for drives near you. Thank you!
settings-prompt =
    Message settings:
    • Urgent call-outs: { $urgent }
    • At night too (21:00–07:00): { $night }
    • Not giving until: { $deferral }
choice-urgent-off = Turn urgent call-outs off
choice-urgent-on = Turn urgent call-outs on
choice-night-on = Receive them at night too
choice-night-off = Not at night
choice-deferral = Not giving until…
choice-done = Done
settings-saved = Saved.
settings-ask-deferral = Until which day can you not give? (e.g. 15/01/2027; type "clear" to remove it). The doctor at the drive always decides.
settings-bad-deferral = The day must be within the next 13 months, e.g. 15/01/2027.
