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
web-year-head = The year plan
web-chart-title = Blood received, cumulative by month (units){ $target ->
        [none] {""}
       *[other] , against the target of { $target } units
    }
web-chart-done = Received
web-chart-pace = Target spread evenly by month
web-drives-head = Drives in the next 14 days
web-col-when = When
web-col-place = Where
web-col-signups = Signed up / capacity
web-drives-none = No drives in the next 14 days.
