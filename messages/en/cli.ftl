# The command line's own lines (hienmau campaigns, donations import, stock set, status).
cli-calendar-stored = Stored for { $year }: { $plan ->
        [none] {""}
       *[other] the { $plan } plan ({ $targets ->
            [yes] targets and{" "}
           *[other] {""}
        }{ $units } { $units ->
            [one] unit
           *[other] units
        }),{" "}
    }{ $campaigns } { $campaigns ->
        [one] campaign
       *[other] campaigns
    }{ $points ->
        [0] {""}
        [one] , 1 fixed point
       *[other] , { $points } fixed points
    } and { $drives } { $drives ->
        [one] drive
       *[other] drives
    }.
cli-campaigns-none = No campaigns stored for { $year }.
cli-target-units = { $min ->
        [none] {""}
       *[other] { $max ->
            [same] { $min } units
           *[other] { $min }–{ $max } units
        }
    }
cli-nothing-stored = Nothing was stored:
cli-donations-imported = { $added } { $added ->
        [one] donation
       *[other] donations
    } recorded for { $donors } { $donors ->
        [one] donor
       *[other] donors
    } ({ $known } already on record, not recorded again).
cli-stock-set = { $group }: { $units } { $units ->
        [one] unit
       *[other] units
    }
cli-stock-bad-group = “{ $group }” is not a blood group with ABO and Rh, like O- or AB+.
cli-stock-negative = Units and threshold cannot be negative.
cli-status-outbox = Outgoing messages (by status):
cli-status-empty = (none)
cli-status-uncertain = uncertain: being sent when the process stopped, not sent again ({ $lanes }); [delivery] interrupted_bulk = "resend" sends such messages again
cli-status-backup = Last backup: { $at }
cli-status-no-backup = Last backup: none recorded (hienmau backup FILE, or HIENMAU_BACKUP_DIR for serve to take them)
cli-status-donations = Donations on record: { $n } ({ $anonymous } of erased donors, anonymous)
cli-status-jobs = Scheduled jobs (pending, or what came of them):
cli-zalo-month = Zalo OA, { $month }:
cli-zalo-spend = template messages: { $bulk } bulk, { $urgent } urgent; spent { $spent } of { $budget } VND (urgent may add up to { $cap } VND)
cli-zalo-left = remaining this month: { $left } VND
cli-zalo-no-zns = template messages: not configured ([zns] in the config file)
cli-zalo-billed = consultation messages between 48 h and 7 days (billed by Zalo): { $n }
cli-zalo-quota = template quota today: { $remaining } of { $daily } left (reported { $at })
cli-zalo-receipts = receipts: { $delivered } confirmed, { $awaiting } awaiting, { $unconfirmed } unconfirmed after { $minutes } min (not resent)
unit-kind = { $kind ->
        [district] district
        [commune] commune
        [university] university
        [college] college
        [school] school
        [department] department
        [organisation] organisation
        [firm] firm
        [armed_forces] armed forces
        [club] club
        [hospital] hospital
       *[other] other
    }
