//! The message catalogue: every text a user reads lives in `messages/{vi,en}/*.ftl` (Project
//! Fluent). Code names messages by [`MsgId`], an enum, so an id that does not exist cannot be
//! written; a test proves both languages define every id with the same variables.
//!
//! The `.ftl` files are compiled into the binary, so `hienmau` runs from any folder.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A language the bot speaks. Vietnamese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The `.ftl` sources, per language, as (file name, text).
pub const SOURCES: &[(Lang, &str, &str)] = &[
    (
        Lang::Vi,
        "vi/registration.ftl",
        include_str!("../messages/vi/registration.ftl"),
    ),
    (
        Lang::Vi,
        "vi/account.ftl",
        include_str!("../messages/vi/account.ftl"),
    ),
    (
        Lang::Vi,
        "vi/club.ftl",
        include_str!("../messages/vi/club.ftl"),
    ),
    (
        Lang::Vi,
        "vi/cli.ftl",
        include_str!("../messages/vi/cli.ftl"),
    ),
    (
        Lang::Vi,
        "vi/drive.ftl",
        include_str!("../messages/vi/drive.ftl"),
    ),
    (
        Lang::Vi,
        "vi/dashboard.ftl",
        include_str!("../messages/vi/dashboard.ftl"),
    ),
    (
        Lang::Vi,
        "vi/callout.ftl",
        include_str!("../messages/vi/callout.ftl"),
    ),
    (
        Lang::En,
        "en/registration.ftl",
        include_str!("../messages/en/registration.ftl"),
    ),
    (
        Lang::En,
        "en/account.ftl",
        include_str!("../messages/en/account.ftl"),
    ),
    (
        Lang::En,
        "en/club.ftl",
        include_str!("../messages/en/club.ftl"),
    ),
    (
        Lang::En,
        "en/cli.ftl",
        include_str!("../messages/en/cli.ftl"),
    ),
    (
        Lang::En,
        "en/drive.ftl",
        include_str!("../messages/en/drive.ftl"),
    ),
    (
        Lang::En,
        "en/dashboard.ftl",
        include_str!("../messages/en/dashboard.ftl"),
    ),
    (
        Lang::En,
        "en/callout.ftl",
        include_str!("../messages/en/callout.ftl"),
    ),
];

macro_rules! message_ids {
    ($($variant:ident => $id:literal,)*) => {
        /// Every message the code can send, by its Fluent id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum MsgId { $($variant,)* }

        impl MsgId {
            pub const ALL: &'static [MsgId] = &[$(MsgId::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(MsgId::$variant => $id,)* }
            }

            /// The message with this Fluent id.
            pub fn from_id(id: &str) -> Option<MsgId> {
                match id { $($id => Some(MsgId::$variant),)* _ => None }
            }
        }
    };
}

message_ids! {
    Welcome => "welcome",
    ChildNotKept => "child-not-kept",
    BackAtRest => "back-at-rest",
    WelcomeStaff => "welcome-staff",
    NotUnderstoodStaff => "not-understood-staff",
    ConsentText => "consent-text",
    ConsentRepeat => "consent-repeat",
    ConsentDeclined => "consent-declined",
    ConsentThanks => "consent-thanks",
    ConsentRenewal => "consent-renewal",
    ConsentRenewed => "consent-renewed",
    ConsentRenewalDeclined => "consent-renewal-declined",
    ChoiceAgree => "choice-agree",
    ChoiceDisagree => "choice-disagree",
    AskName => "ask-name",
    ErrorName => "error-name",
    AskPhone => "ask-phone",
    ChoiceSharePhone => "choice-share-phone",
    ErrorPhoneFormat => "error-phone-format",
    ErrorPhoneLength => "error-phone-length",
    ErrorPhoneOld => "error-phone-old",
    ErrorPhoneNotMobile => "error-phone-not-mobile",
    ErrorPhoneForeign => "error-phone-foreign",
    ErrorPhoneTaken => "error-phone-taken",
    ErrorContactNotOwn => "error-contact-not-own",
    AskBirthDate => "ask-birth-date",
    ErrorDateFormat => "error-date-format",
    ErrorDateNoSuchDay => "error-date-no-such-day",
    ErrorLastDateFormat => "error-last-date-format",
    ErrorLastDateNoSuchDay => "error-last-date-no-such-day",
    ErrorDateFuture => "error-date-future",
    ErrorBirthDateTooOld => "error-birth-date-too-old",
    AgeTooYoung => "age-too-young",
    AgeTooOld => "age-too-old",
    ChoiceSupporter => "choice-supporter",
    ChoiceFixBirthDate => "choice-fix-birth-date",
    AskSex => "ask-sex",
    ChoiceMale => "choice-male",
    ChoiceFemale => "choice-female",
    AskWeight => "ask-weight",
    ErrorWeightFormat => "error-weight-format",
    ErrorWeightRange => "error-weight-range",
    ErrorWeightUnit => "error-weight-unit",
    NoteWeightBelow => "note-weight-below",
    AskBloodGroup => "ask-blood-group",
    ChoiceBloodUnknown => "choice-blood-unknown",
    ErrorBloodGroup => "error-blood-group",
    AskProvince => "ask-province",
    AskProvinceChoose => "ask-province-choose",
    AskProvinceHome => "ask-province-home",
    ErrorProvince => "error-province",
    NoteProvinceFormer => "note-province-former",
    AskCommune => "ask-commune",
    ChoiceSkip => "choice-skip",
    ErrorCommune => "error-commune",
    AskLastDonation => "ask-last-donation",
    ChoiceWholeBlood => "choice-whole-blood",
    ChoicePlatelets => "choice-platelets",
    ChoicePlasma => "choice-plasma",
    ChoiceNever => "choice-never",
    AskLastDonationDate => "ask-last-donation-date",
    AskNightAlerts => "ask-night-alerts",
    ChoiceNightYes => "choice-night-yes",
    ChoiceNightNo => "choice-night-no",
    FieldNightAlerts => "field-night-alerts",
    ValueNightYes => "value-night-yes",
    ValueNightNo => "value-night-no",
    ProfileUrgentOn => "profile-urgent-on",
    ProfileUrgentOff => "profile-urgent-off",
    CalloutLine => "callout-line",
    CalloutAskGroup => "callout-ask-group",
    CalloutAskComponent => "callout-ask-component",
    CalloutAskUnits => "callout-ask-units",
    CalloutAskHospital => "callout-ask-hospital",
    CalloutAskAddress => "callout-ask-address",
    CalloutAskProvince => "callout-ask-province",
    CalloutAskDeadline => "callout-ask-deadline",
    CalloutAskNote => "callout-ask-note",
    CalloutBadGroup => "callout-bad-group",
    CalloutBadUnits => "callout-bad-units",
    CalloutBadDeadline => "callout-bad-deadline",
    CalloutDeadlinePast => "callout-deadline-past",
    CalloutDeadlineFar => "callout-deadline-far",
    CalloutBadNote => "callout-bad-note",
    CalloutFieldGroup => "callout-field-group",
    CalloutFieldComponent => "callout-field-component",
    CalloutFieldUnits => "callout-field-units",
    CalloutFieldHospital => "callout-field-hospital",
    CalloutFieldAddress => "callout-field-address",
    CalloutFieldProvince => "callout-field-province",
    CalloutFieldDeadline => "callout-field-deadline",
    CalloutFieldNote => "callout-field-note",
    CalloutReview => "callout-review",
    CalloutElsewhere => "callout-elsewhere",
    CalloutElsewhereNone => "callout-elsewhere-none",
    ChoiceCalloutSend => "choice-callout-send",
    CalloutStarted => "callout-started",
    CalloutTally => "callout-tally",
    CalloutStatusOpen => "callout-status-open",
    CalloutStatusFulfilled => "callout-status-fulfilled",
    CalloutStatusCancelled => "callout-status-cancelled",
    CalloutStatusExpired => "callout-status-expired",
    CalloutStatusClosedEarly => "callout-status-closed-early",
    CalloutConfirmClose => "callout-confirm-close",
    CalloutClosedDone => "callout-closed-done",
    CalloutCancelledSilent => "callout-cancelled-silent",
    CalloutExpiredSilent => "callout-expired-silent",
    CalloutExpiredPledged => "callout-expired-pledged",
    CalloutClosedEarly => "callout-closed-early",
    CalloutsNone => "callouts-none",
    CalloutsNoneForYou => "callouts-none-for-you",
    CalloutsPick => "callouts-pick",
    CalloutNotFound => "callout-not-found",
    ChoiceRefresh => "choice-refresh",
    ChoicePledges => "choice-pledges",
    ChoiceExtend => "choice-extend",
    ChoiceCloseFulfilled => "choice-close-fulfilled",
    ChoiceCancelCallout => "choice-cancel-callout",
    CalloutAskNewDeadline => "callout-ask-new-deadline",
    CalloutConfirmCancel => "callout-confirm-cancel",
    PledgesNone => "pledges-none",
    PledgesPick => "pledges-pick",
    PledgeMarkAsk => "pledge-mark-ask",
    ChoiceDonated => "choice-donated",
    ChoiceNoShow => "choice-no-show",
    PledgeMarkedDonated => "pledge-marked-donated",
    PledgeMarkedNoShow => "pledge-marked-no-show",
    PledgeAlreadyMarked => "pledge-already-marked",
    CalloutAsk => "callout-ask",
    ChoiceCalloutYes => "choice-callout-yes",
    ChoiceCalloutNo => "choice-callout-no",
    ChoiceManageCallout => "choice-manage-callout",
    CalloutTallyHint => "callout-tally-hint",
    CalloutAskWaiting => "callout-ask-waiting",
    CalloutStartedHeld => "callout-started-held",
    CalloutAskExplain => "callout-ask-explain",
    CalloutAskUndecided => "callout-ask-undecided",
    Count => "count",
    CountMoreThan => "count-more-than",
    CalloutPledged => "callout-pledged",
    CalloutDeclinedThanks => "callout-declined-thanks",
    CalloutAlreadyCovered => "callout-already-covered",
    CalloutCovered => "callout-covered",
    CalloutCancelledPledged => "callout-cancelled-pledged",
    CalloutExpiredOwner => "callout-expired-owner",
    StockUsage => "stock-usage",
    StockNone => "stock-none",
    StockList => "stock-list",
    StockSaved => "stock-saved",
    StockAlert => "stock-alert",
    SettingsPrompt => "settings-prompt",
    ChoiceUrgentOff => "choice-urgent-off",
    ChoiceUrgentOn => "choice-urgent-on",
    ChoiceNightOn => "choice-night-on",
    ChoiceNightOff => "choice-night-off",
    ChoiceDeferral => "choice-deferral",
    ChoiceDone => "choice-done",
    SettingsSaved => "settings-saved",
    SettingsAskDeferral => "settings-ask-deferral",
    SettingsBadDeferral => "settings-bad-deferral",
    ErrorDonationDateTooEarly => "error-donation-date-too-early",
    ErrorChoice => "error-choice",
    Summary => "summary",
    ChoiceConfirm => "choice-confirm",
    ChoiceEdit => "choice-edit",
    Registered => "registered",
    RegisteredSupporter => "registered-supporter",
    EligibleNow => "eligible-now",
    EligibleFrom => "eligible-from",
    EligibleFirstTime => "eligible-first-time",
    EligibleDateForgotten => "eligible-date-forgotten",
    EligibleWeight => "eligible-weight",
    EditMenu => "edit-menu",
    ChoiceBack => "choice-back",
    FieldName => "field-name",
    FieldPhone => "field-phone",
    FieldBirthDate => "field-birth-date",
    FieldSex => "field-sex",
    FieldWeight => "field-weight",
    FieldBloodGroup => "field-blood-group",
    FieldProvince => "field-province",
    FieldCommune => "field-commune",
    FieldLastDonation => "field-last-donation",
    Updated => "updated",
    StaleChoice => "stale-choice",
    ValueText => "value-text",
    ValueRhUnknown => "value-rh-unknown",
    ValueAboUnknown => "value-abo-unknown",
    ValueNotGiven => "value-not-given",
    ValueKg => "value-kg",
    ValueUnknown => "value-unknown",
    ValueSkipped => "value-skipped",
    ValueNever => "value-never",
    ValueDonation => "value-donation",
    ValueDonationMonth => "value-donation-month",
    ValueDonationForgotten => "value-donation-forgotten",
    ValuePhoneVerified => "value-phone-verified",
    Help => "help",
    Profile => "profile",
    ProfileNone => "profile-none",
    ProfileStatusRegistering => "profile-status-registering",
    ProfileStatusDonor => "profile-status-donor",
    ProfileStatusSupporter => "profile-status-supporter",
    ProfileMessagesOn => "profile-messages-on",
    ProfileMessagesPaused => "profile-messages-paused",
    LanguagePrompt => "language-prompt",
    ChoiceVietnamese => "choice-vietnamese",
    ChoiceEnglish => "choice-english",
    LanguageSet => "language-set",
    Paused => "paused",
    Resumed => "resumed",
    NotRegistered => "not-registered",
    DeleteConfirm => "delete-confirm",
    ChoiceDeleteYes => "choice-delete-yes",
    ChoiceDeleteNo => "choice-delete-no",
    Deleted => "deleted",
    DeleteKept => "delete-kept",
    Cancelled => "cancelled",
    CancelledIncomplete => "cancelled-incomplete",
    NothingToCancel => "nothing-to-cancel",
    UnknownCommand => "unknown-command",
    NotUnderstood => "not-understood",
    WelcomeBack => "welcome-back",
    TextOnly => "text-only",
    AccountLinked => "account-linked",
    SlowDown => "slow-down",
    RoleAdmin => "role-admin",
    RoleCoordinator => "role-coordinator",
    RoleLeader => "role-leader",
    ClubKindUniversity => "club-kind-university",
    ClubKindWorkplace => "club-kind-workplace",
    ClubKindCommunity => "club-kind-community",
    ClubKindReserve => "club-kind-reserve",
    AudienceClub => "audience-club",
    AudienceProvince => "audience-province",
    AudienceBlood => "audience-blood",
    AudienceAll => "audience-all",
    ClubInvite => "club-invite",
    ClubInviteWithLink => "club-invite-with-link",
    ClubNeedsRegistration => "club-needs-registration",
    JoinBadCode => "join-bad-code",
    JoinAfterRegistration => "join-after-registration",
    AskJoinCode => "ask-join-code",
    JoinNoSuchCode => "join-no-such-code",
    Joined => "joined",
    JoinedAlready => "joined-already",
    ClubsNone => "clubs-none",
    ClubsList => "clubs-list",
    ChooseClub => "choose-club",
    ClubGone => "club-gone",
    ClubCard => "club-card",
    ClubRoleLeader => "club-role-leader",
    ClubRoleMember => "club-role-member",
    ClubMutedYes => "club-muted-yes",
    ClubMutedNo => "club-muted-no",
    ChoiceClubBroadcast => "choice-club-broadcast",
    ChoiceClubMembers => "choice-club-members",
    ChoiceClubInvite => "choice-club-invite",
    ChoiceClubMute => "choice-club-mute",
    ChoiceClubUnmute => "choice-club-unmute",
    ChoiceClubLeave => "choice-club-leave",
    ClubLeft => "club-left",
    ClubLastLeader => "club-last-leader",
    ClubMutedNow => "club-muted-now",
    ClubUnmutedNow => "club-unmuted-now",
    MembersList => "members-list",
    MembersPickNumber => "members-pick-number",
    MembersNoneFound => "members-none-found",
    MembersPickNumberOrNext => "members-pick-number-or-next",
    MemberRemoveConfirm => "member-remove-confirm",
    MemberRemoveConfirmNamed => "member-remove-confirm-named",
    ChoiceRemove => "choice-remove",
    ChoiceKeep => "choice-keep",
    MemberRemoved => "member-removed",
    MemberKept => "member-kept",
    AskClubName => "ask-club-name",
    ErrorClubName => "error-club-name",
    AskClubKind => "ask-club-kind",
    ClubCreated => "club-created",
    NotAllowed => "not-allowed",
    Weekday => "weekday",
    ListPair => "list-pair",
    DashboardLinkSent => "dashboard-link-sent",
    WebTitle => "web-title",
    WebOverview => "web-overview",
    WebSignOut => "web-sign-out",
    WebSignedOut => "web-signed-out",
    WebSignInNeeded => "web-sign-in-needed",
    WebLinkRefused => "web-link-refused",
    WebRefused => "web-refused",
    WebFormRefused => "web-form-refused",
    WebYearHead => "web-year-head",
    WebChartTitle => "web-chart-title",
    WebChartDone => "web-chart-done",
    WebChartPace => "web-chart-pace",
    WebByCampaign => "web-by-campaign",
    WebByUnit => "web-by-unit",
    WebByProvince => "web-by-province",
    WebChartProvinces => "web-chart-provinces",
    WebChartCampaigns => "web-chart-campaigns",
    WebChartUnits => "web-chart-units",
    WebChartDonations => "web-chart-donations",
    WebChartTarget => "web-chart-target",
    WebDrivesHead => "web-drives-head",
    WebColWhen => "web-col-when",
    WebColPlace => "web-col-place",
    WebColSignups => "web-col-signups",
    WebDrivesNone => "web-drives-none",
    WebNotFound => "web-not-found",
    WebFindDonor => "web-find-donor",
    WebAllActions => "web-all-actions",
    WebBroadcastDone => "web-broadcast-done",
    WebBroadcastFigures => "web-broadcast-figures",
    WebBroadcastOver => "web-broadcast-over",
    WebBroadcastStopped => "web-broadcast-stopped",
    WebBroadcastStoppedState => "web-broadcast-stopped-state",
    WebBroadcastsHint => "web-broadcasts-hint",
    WebBroadcastsNone => "web-broadcasts-none",
    WebOnly => "web-only",
    WebNavDonors => "web-nav-donors",
    WebDonorsIntro => "web-donors-intro",
    WebDonorsGroup => "web-donors-group",
    WebDonorsProvince => "web-donors-province",
    WebDonorsTotal => "web-donors-total",
    WebDonorsUnknownGroup => "web-donors-unknown-group",
    WebDonorsNoProvince => "web-donors-no-province",
    WebDonorsNone => "web-donors-none",
    WebReserveTitle => "web-reserve-title",
    WebReserveIntro => "web-reserve-intro",
    WebReserveCell => "web-reserve-cell",
    WebReserveUncovered => "web-reserve-uncovered",
    WebLookupTitle => "web-lookup-title",
    WebLookupPhone => "web-lookup-phone",
    WebLookupAudited => "web-lookup-audited",
    WebLookupBadPhone => "web-lookup-bad-phone",
    WebLookupNone => "web-lookup-none",
    WebLookupSeveral => "web-lookup-several",
    WebDonorCard => "web-donor-card",
    WebDonorDonations => "web-donor-donations",
    WebDonorDonation => "web-donor-donation",
    WebDonorNoDonations => "web-donor-no-donations",
    WebDelivery => "web-delivery",
    WebLaneUrgent => "web-lane-urgent",
    WebLaneReply => "web-lane-reply",
    WebLaneNotice => "web-lane-notice",
    WebLaneBulk => "web-lane-bulk",
    WebColLane => "web-col-lane",
    WebColWaiting => "web-col-waiting",
    WebColDue => "web-col-due",
    WebColSentHour => "web-col-sent-hour",
    WebColFailed => "web-col-failed",
    WebColRetried => "web-col-retried",
    WebDueMinutes => "web-due-minutes",
    WebDeliveryOk => "web-delivery-ok",
    WebKpiUnits => "web-kpi-units",
    WebKpiPeople => "web-kpi-people",
    WebKpiRepeat => "web-kpi-repeat",
    WebKpiDonors => "web-kpi-donors",
    WebKpiDrives => "web-kpi-drives",
    WebKpiTarget => "web-kpi-target",
    WebKpiUnitsNote => "web-kpi-units-note",
    WebKpiDonorsNote => "web-kpi-donors-note",
    WebKpiDrivesNote => "web-kpi-drives-note",
    WebKpiBehind => "web-kpi-behind",
    WebKpiBehindWhy => "web-kpi-behind-why",
    WebMembersSearch => "web-members-search",
    WebMembersFound => "web-members-found",
    WebMembersNarrow => "web-members-narrow",
    WebMembersNoneFound => "web-members-none-found",
    WebMembersAll => "web-members-all",
    WebGoToPage => "web-go-to-page",
    WebGo => "web-go",
    WebDriveEndBeforeStart => "web-drive-end-before-start",
    WebDriveOutsideCampaign => "web-drive-outside-campaign",
    WebDeliveryLate => "web-delivery-late",
    WebDeliveryLateOff => "web-delivery-late-off",
    WebZnsQuota => "web-zns-quota",
    WebBackupLast => "web-backup-last",
    WebServerBusy => "web-server-busy",
    WebBackupLate => "web-backup-late",
    WebBackupNever => "web-backup-never",
    WebBackupNone => "web-backup-none",
    WebNavClubs => "web-nav-clubs",
    WebClubsNone => "web-clubs-none",
    WebColClub => "web-col-club",
    WebColKind => "web-col-kind",
    WebColMembers => "web-col-members",
    WebColInvite => "web-col-invite",
    WebClubMembers => "web-club-members",
    WebClubLeader => "web-club-leader",
    WebPageOf => "web-page-of",
    WebPrevPage => "web-prev-page",
    WebNextPage => "web-next-page",
    WebWriteToClub => "web-write-to-club",
    WebCompose => "web-compose",
    WebFieldAudience => "web-field-audience",
    WebFieldText => "web-field-text",
    WebPreviewBroadcast => "web-preview-broadcast",
    WebErrorAudience => "web-error-audience",
    WebBroadcastSeenAs => "web-broadcast-seen-as",
    WebBroadcastReach => "web-broadcast-reach",
    WebBroadcastQueued => "web-broadcast-queued",
    WebBroadcastHeld => "web-broadcast-held",
    WebCalloutActions => "web-callout-actions",
    WebCalloutChanged => "web-callout-changed",
    WebCalloutStarted => "web-callout-started",
    WebCalloutsNone => "web-callouts-none",
    WebCancelCallout => "web-cancel-callout",
    WebCancelDrive => "web-cancel-drive",
    WebCancelDriveHead => "web-cancel-drive-head",
    WebCancelDriveWarn => "web-cancel-drive-warn",
    WebCloseCovered => "web-close-covered",
    WebColAccount => "web-col-account",
    WebColAction => "web-col-action",
    WebColAsked => "web-col-asked",
    WebColCallout => "web-col-callout",
    WebColCampaign => "web-col-campaign",
    WebColCode => "web-col-code",
    WebColDeadline => "web-col-deadline",
    WebColDeclined => "web-col-declined",
    WebColGroup => "web-col-group",
    WebColName => "web-col-name",
    WebColOutcome => "web-col-outcome",
    WebColPhone => "web-col-phone",
    WebColPledged => "web-col-pledged",
    WebColProvince => "web-col-province",
    WebColRecipients => "web-col-recipients",
    WebColSilent => "web-col-silent",
    WebColSlot => "web-col-slot",
    WebColStatus => "web-col-status",
    WebColTarget => "web-col-target",
    WebColThreshold => "web-col-threshold",
    WebColUnits => "web-col-units",
    WebCsv => "web-csv",
    WebDeadlineAt => "web-deadline-at",
    WebDonatedNoShow => "web-donated-no-show",
    WebDonationRecorded => "web-donation-recorded",
    WebDonationRemoved => "web-donation-removed",
    WebDriveCancelled => "web-drive-cancelled",
    WebDriveIsCancelled => "web-drive-is-cancelled",
    WebDriveSaved => "web-drive-saved",
    WebDrivesTable => "web-drives-table",
    WebEveryone => "web-everyone",
    WebExtend => "web-extend",
    WebFieldCapacity => "web-field-capacity",
    WebFieldCommune => "web-field-commune",
    WebFieldDate => "web-field-date",
    WebFieldEnd => "web-field-end",
    WebFieldStart => "web-field-start",
    WebFieldTarget => "web-field-target",
    WebFilter => "web-filter",
    WebFind => "web-find",
    WebFormErrors => "web-form-errors",
    WebFrom => "web-from",
    WebLastDonation => "web-last-donation",
    WebMarkDonated => "web-mark-donated",
    WebMarkNoShow => "web-mark-no-show",
    WebMonthHead => "web-month-head",
    WebMonthNone => "web-month-none",
    WebNavAudit => "web-nav-audit",
    WebNavBroadcasts => "web-nav-broadcasts",
    WebNavCallouts => "web-nav-callouts",
    WebNavDonations => "web-nav-donations",
    WebNavDrives => "web-nav-drives",
    WebNavLabel => "web-nav-label",
    WebNavStock => "web-nav-stock",
    WebNewCallout => "web-new-callout",
    WebNewDrive => "web-new-drive",
    WebNoCampaign => "web-no-campaign",
    WebOpenCallouts => "web-open-callouts",
    WebPledgeDonated => "web-pledge-donated",
    WebPledgeMarked => "web-pledge-marked",
    WebPledgeNoShow => "web-pledge-no-show",
    WebPledgedOf => "web-pledged-of",
    WebPledgesHead => "web-pledges-head",
    WebPledgesNone => "web-pledges-none",
    WebPreview => "web-preview",
    WebRecord => "web-record",
    WebSave => "web-save",
    WebSaveDrive => "web-save-drive",
    WebSetStock => "web-set-stock",
    WebSignupsHead => "web-signups-head",
    WebSignupsNone => "web-signups-none",
    WebStockLow => "web-stock-low",
    WebStockOk => "web-stock-ok",
    WebStop => "web-stop",
    WebTo => "web-to",
    WebWavesHead => "web-waves-head",
    WebWeekdayShort => "web-weekday-short",
    AskUnit => "ask-unit",
    ChooseUnit => "choose-unit",
    ChoiceUnitRetry => "choice-unit-retry",
    UnitNotFound => "unit-not-found",
    UnitSaved => "unit-saved",
    UnitSkipped => "unit-skipped",
    UnitNone => "unit-none",
    ProfileUnitNone => "profile-unit-none",
    ProfileFamily => "profile-family",
    ProfileFamilyNone => "profile-family-none",
    PlanNoUnit => "plan-no-unit",
    Leaderboard => "leaderboard",
    LeaderboardLine => "leaderboard-line",
    LeaderboardEmpty => "leaderboard-empty",
    FamilyShow => "family-show",
    FamilyNone => "family-none",
    FamilyBadCode => "family-bad-code",
    FamilyLeft => "family-left",
    ChoiceFamilyCreate => "choice-family-create",
    ChoiceFamilyLeave => "choice-family-leave",
    HonoursTitle => "honours-title",
    HonoursDonorsHead => "honours-donors-head",
    HonoursDonor => "honours-donor",
    HonoursClubsHead => "honours-clubs-head",
    HonoursUnitsHead => "honours-units-head",
    HonoursUnit => "honours-unit",
    HonoursCsvHeader => "honours-csv-header",
    HonoursKindDonor => "honours-kind-donor",
    HonoursKindClub => "honours-kind-club",
    HonoursKindFamily => "honours-kind-family",
    HonoursFamiliesHead => "honours-families-head",
    HonoursFamily => "honours-family",
    HonoursKindUnit => "honours-kind-unit",
    ListNone => "list-none",
    DrivesNeedRegistration => "drives-need-registration",
    DrivesNone => "drives-none",
    DrivesNear => "drives-near",
    DrivesAll => "drives-all",
    DrivesFrom => "drives-from",
    DrivesPick => "drives-pick",
    DriveCard => "drive-card",
    DriveMenu => "drive-menu",
    ChoiceSignUp => "choice-sign-up",
    ChoiceCancelSignUp => "choice-cancel-sign-up",
    ChoiceEditDrive => "choice-edit-drive",
    ChoiceCancelDrive => "choice-cancel-drive",
    ChooseSlot => "choose-slot",
    SlotFull => "slot-full",
    SignedUp => "signed-up",
    SignUpAlready => "sign-up-already",
    SignUpNotYet => "sign-up-not-yet",
    DriveFull => "drive-full",
    DriveFullNext => "drive-full-next",
    DriveClosed => "drive-closed",
    SignUpCancelled => "sign-up-cancelled",
    CheckinCode => "checkin-code",
    SelfReportAsk => "self-report-ask",
    SelfReported => "self-reported",
    DonationAlreadyRecorded => "donation-already-recorded",
    RecordAsk => "record-ask",
    RecordBadQuery => "record-bad-query",
    RecordNotFound => "record-not-found",
    RecordSeveral => "record-several",
    RecordFound => "record-found",
    RecordKindAsk => "record-kind-ask",
    RecordDriveAsk => "record-drive-ask",
    ChoiceNoDrive => "choice-no-drive",
    RecordDoneOne => "record-done-one",
    CliDonorNotFound => "cli-donor-not-found",
    CliStockNone => "cli-stock-none",
    CliStockHeader => "cli-stock-header",
    CliStockLow => "cli-stock-low",
    CliCalendarStored => "cli-calendar-stored",
    CliCampaignsNone => "cli-campaigns-none",
    CliTargetUnits => "cli-target-units",
    CliNothingStored => "cli-nothing-stored",
    CliDonationsImported => "cli-donations-imported",
    CliStockSet => "cli-stock-set",
    CliStockBadGroup => "cli-stock-bad-group",
    CliStockNegative => "cli-stock-negative",
    CliStatusOutbox => "cli-status-outbox",
    CliStatusEmpty => "cli-status-empty",
    CliStatusUncertain => "cli-status-uncertain",
    CliStatusBackup => "cli-status-backup",
    CliStatusNoBackup => "cli-status-no-backup",
    CliStatusDonations => "cli-status-donations",
    CliStatusJobs => "cli-status-jobs",
    CliZaloMonth => "cli-zalo-month",
    CliZaloSpend => "cli-zalo-spend",
    CliZaloLeft => "cli-zalo-left",
    CliZaloNoZns => "cli-zalo-no-zns",
    CliZaloBilled => "cli-zalo-billed",
    CliZaloQuota => "cli-zalo-quota",
    CliZaloReceipts => "cli-zalo-receipts",
    UnitKind => "unit-kind",
    CliDonorSeveral => "cli-donor-several",
    CliNoDonations => "cli-no-donations",
    CliDonationsHeader => "cli-donations-header",
    CliDonationLine => "cli-donation-line",
    CliVerified => "cli-verified",
    CliSelfReported => "cli-self-reported",
    CliNoSuchDonation => "cli-no-such-donation",
    CliDonationRemoved => "cli-donation-removed",
    RecordEligibleNow => "record-eligible-now",
    RecordEligibleFrom => "record-eligible-from",
    RecordNotRecorded => "record-not-recorded",
    RecordNotRemoved => "record-not-removed",
    RecordRemoved => "record-removed",
    RecordEarlyConfirm => "record-early-confirm",
    RecordRemoveConfirm => "record-remove-confirm",
    ChoiceRemoveDonation => "choice-remove-donation",
    ChoiceRecordAnyway => "choice-record-anyway",
    ChoiceDontRecord => "choice-dont-record",
    ChoiceRemoveYes => "choice-remove-yes",
    RecordDone => "record-done",
    DriveAskCampaign => "drive-ask-campaign",
    ChoiceNoCampaign => "choice-no-campaign",
    DriveAskPlace => "drive-ask-place",
    DriveAskProvince => "drive-ask-province",
    DriveProvinceWhich => "drive-province-which",
    DriveAskCommune => "drive-ask-commune",
    DriveAskDate => "drive-ask-date",
    DriveAskTime => "drive-ask-time",
    DriveAskCapacity => "drive-ask-capacity",
    DriveAskTarget => "drive-ask-target",
    DriveAskSlots => "drive-ask-slots",
    DriveBadPlace => "drive-bad-place",
    DriveBadDate => "drive-bad-date",
    DriveBadTime => "drive-bad-time",
    DriveBadCount => "drive-bad-count",
    DriveBadSlots => "drive-bad-slots",
    DriveSummary => "drive-summary",
    ChoiceSave => "choice-save",
    ChoiceDiscard => "choice-discard",
    ChoiceChangeField => "choice-change-field",
    DriveFieldCampaign => "drive-field-campaign",
    DriveFieldPlace => "drive-field-place",
    DriveFieldProvince => "drive-field-province",
    DriveFieldCommune => "drive-field-commune",
    DriveFieldDate => "drive-field-date",
    DriveFieldTime => "drive-field-time",
    DriveFieldCapacity => "drive-field-capacity",
    DriveFieldTarget => "drive-field-target",
    DriveFieldSlots => "drive-field-slots",
    DriveCreated => "drive-created",
    DriveOutsideCampaign => "drive-outside-campaign",
    DriveUpdated => "drive-updated",
    ConfirmCancelDrive => "confirm-cancel-drive",
    DriveCancelledDone => "drive-cancelled-done",
    CampaignAskName => "campaign-ask-name",
    CampaignBadName => "campaign-bad-name",
    CampaignAskDates => "campaign-ask-dates",
    CampaignBadDates => "campaign-bad-dates",
    CampaignAskUnits => "campaign-ask-units",
    CampaignAskPeople => "campaign-ask-people",
    CampaignSummary => "campaign-summary",
    CampaignCreated => "campaign-created",
    CampaignExists => "campaign-exists",
    CampaignsPick => "campaigns-pick",
    CampaignsNone => "campaigns-none",
    CampaignUpdated => "campaign-updated",
    CampaignFieldName => "campaign-field-name",
    CampaignFieldDates => "campaign-field-dates",
    CampaignFieldUnits => "campaign-field-units",
    CampaignFieldPeople => "campaign-field-people",
    Report => "report",
    ReportLine => "report-line",
    ReportOther => "report-other",
    ReportCsvHeader => "report-csv-header",
    ReportLevelCampaign => "report-level-campaign",
    ReportLevelDrive => "report-level-drive",
    ReportLevelOther => "report-level-other",
    ReportLevelTotal => "report-level-total",
    PlanReportTitle => "plan-report-title",
    PlanReportNone => "plan-report-none",
    PlanReportUnits => "plan-report-units",
    PlanReportBehind => "plan-report-behind",
    PlanReportPeople => "plan-report-people",
    PlanReportRepeat => "plan-report-repeat",
    PlanReportPopulation => "plan-report-population",
    PlanReportDrives => "plan-report-drives",
    PlanReportMonths => "plan-report-months",
    PlanReportUnitsHead => "plan-report-units-head",
    PlanReportProvincesHead => "plan-report-provinces-head",
    PlanReportProvince => "plan-report-province",
    PlanReportUnit => "plan-report-unit",
    PlanReportUnitBehind => "plan-report-unit-behind",
    PlanReportIllustrative => "plan-report-illustrative",
    PlanReportNoneValue => "plan-report-none-value",
    PlanCsvHeader => "plan-csv-header",
    PlanLevelProvince => "plan-level-province",
    PlanLevelUnit => "plan-level-unit",
    PlanLevelMonth => "plan-level-month",
    PlanBehindYes => "plan-behind-yes",
    PlanLoaded => "plan-loaded",
    ReminderDrive => "reminder-drive",
    EligibleAgain => "eligible-again",
    CampaignAnnounce => "campaign-announce",
    ThanksDonation => "thanks-donation",
    ThanksFirst => "thanks-first",
    ThanksMilestone => "thanks-milestone",
    HonoursDay => "honours-day",
    DriveChanged => "drive-changed",
    DriveSlotRemoved => "drive-slot-removed",
    DriveSlotsNoLongerFit => "drive-slots-no-longer-fit",
    ChoiceKeepSlots => "choice-keep-slots",
    DriveCancelledNotice => "drive-cancelled-notice",
    SignupReleasedNotice => "signup-released-notice",
    DemoClock => "demo-clock",
    DemoClockUsage => "demo-clock-usage",
    TerminalQuit => "terminal-quit",
    TerminalBadBytes => "terminal-bad-bytes",
    DemoClockBackwards => "demo-clock-backwards",
    DemoClockTooFar => "demo-clock-too-far",
    DemoClockAhead => "demo-clock-ahead",
    DemoDashboard => "demo-dashboard",
    DemoLoaded => "demo-loaded",
    DemoDashboardUnavailable => "demo-dashboard-unavailable",
    BroadcastNoClub => "broadcast-no-club",
    AskAudience => "ask-audience",
    ChoiceAudienceProvince => "choice-audience-province",
    ChoiceAudienceBlood => "choice-audience-blood",
    ChoiceAudienceAll => "choice-audience-all",
    AskAudienceProvince => "ask-audience-province",
    ErrorProvinceAmbiguous => "error-province-ambiguous",
    AskAudienceBlood => "ask-audience-blood",
    AskAnnouncement => "ask-announcement",
    ErrorAnnouncementLength => "error-announcement-length",
    BroadcastPreview => "broadcast-preview",
    ChoiceSend => "choice-send",
    ChoiceRewrite => "choice-rewrite",
    ChoiceDrop => "choice-drop",
    BroadcastDropped => "broadcast-dropped",
    BroadcastNobody => "broadcast-nobody",
    BroadcastCap => "broadcast-cap",
    BroadcastQueued => "broadcast-queued",
    BroadcastHeld => "broadcast-held",
    BroadcastsNone => "broadcasts-none",
    BroadcastLine => "broadcast-line",
    BroadcastStatusRunning => "broadcast-status-running",
    BroadcastStatusDone => "broadcast-status-done",
    BroadcastStatusCancelled => "broadcast-status-cancelled",
    BroadcastsStopAsk => "broadcasts-stop-ask",
    ChoiceStopBroadcast => "choice-stop-broadcast",
    BroadcastCancelled => "broadcast-cancelled",
    BroadcastOver => "broadcast-over",
    BroadcastProgress => "broadcast-progress",
    BroadcastSummary => "broadcast-summary",
    BroadcastFromClub => "broadcast-from-club",
    BroadcastFromOrg => "broadcast-from-org",
    GrantUsage => "grant-usage",
    RevokeUsage => "revoke-usage",
    RoleGranted => "role-granted",
    RoleInProvince => "role-in-province",
    RoleGrantedNotice => "role-granted-notice",
    RoleRevokedNotice => "role-revoked-notice",
    RoleAlready => "role-already",
    RoleRevoked => "role-revoked",
    RoleNotHeld => "role-not-held",
    RoleNoSuchDonor => "role-no-such-donor",
    RoleSeveralDonors => "role-several-donors",
    RoleLastAdmin => "role-last-admin",
    AuditEmpty => "audit-empty",
    AuditBroadcastCancel => "audit-broadcast-cancel",
    AuditBroadcastSend => "audit-broadcast-send",
    AuditCalloutStart => "audit-callout-start",
    AuditCalloutWave => "audit-callout-wave",
    AuditCalloutFulfilled => "audit-callout-fulfilled",
    AuditCalloutCancelled => "audit-callout-cancelled",
    AuditCalloutExpired => "audit-callout-expired",
    AuditCalloutExtend => "audit-callout-extend",
    AuditCalloutDonated => "audit-callout-donated",
    AuditCalloutNoShow => "audit-callout-no-show",
    AuditCampaignCreate => "audit-campaign-create",
    AuditCampaignEdit => "audit-campaign-edit",
    AuditClubCreate => "audit-club-create",
    AuditClubRemoveMember => "audit-club-remove-member",
    AuditDonationRecord => "audit-donation-record",
    AuditDonationRemove => "audit-donation-remove",
    AuditDriveCancel => "audit-drive-cancel",
    AuditDriveCreate => "audit-drive-create",
    AuditDriveEdit => "audit-drive-edit",
    AuditRoleGrant => "audit-role-grant",
    AuditRoleRevoke => "audit-role-revoke",
    AuditStockAlert => "audit-stock-alert",
    AuditStockSet => "audit-stock-set",
    AuditHonoursExport => "audit-honours-export",
    AuditDonorLookup => "audit-donor-lookup",
    AuditCalendarImport => "audit-calendar-import",
    WebUploadCalendarTitle => "web-upload-calendar-title",
    WebEditDrive => "web-edit-drive",
    StaffEligibleNow => "staff-eligible-now",
    StaffEligibleFrom => "staff-eligible-from",
    StaffEligibleFirstTime => "staff-eligible-first-time",
    StaffEligibleDateForgotten => "staff-eligible-date-forgotten",
    StaffEligibleWeight => "staff-eligible-weight",
    WebColThrottled => "web-col-throttled",
    WebDriveSlotsKept => "web-drive-slots-kept",
    WebDriveEdited => "web-drive-edited",
    WebUploadCalendarHint => "web-upload-calendar-hint",
    WebUploadDonationsTitle => "web-upload-donations-title",
    WebUploadDonationsHint => "web-upload-donations-hint",
    WebUploadFile => "web-upload-file",
    WebUploadYear => "web-upload-year",
    WebUploadSend => "web-upload-send",
    WebUploadNone => "web-upload-none",
    WebUploadNotText => "web-upload-not-text",
    WebUploadBadYear => "web-upload-bad-year",
    WebUploadUnreadable => "web-upload-unreadable",
    WebUploadRejected => "web-upload-rejected",
    WebUploadErrorLine => "web-upload-error-line",
    WebCalendarImported => "web-calendar-imported",
    WebDonationsImported => "web-donations-imported",
    WebCalloutEnded => "web-callout-ended",
    WebCalloutEndedBefore => "web-callout-ended-before",
    WebFileTitle => "web-file-title",
    WebFileWriting => "web-file-writing",
    WebFileFailed => "web-file-failed",
    WebFileBack => "web-file-back",
    WebUploadAcceptEarly => "web-upload-accept-early",
    AuditDonationsImport => "audit-donations-import",
    AuditPlanTargetSet => "audit-plan-target-set",
    PlanTargets => "plan-targets",
    PlanTargetUsage => "plan-target-usage",
    AuditList => "audit-list",
}

/// A value for a message variable. `Msg` values are translated too, in the same language.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    Num(f64),
    Msg(Box<Msg>),
}

/// A message to render: an id and its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub id: MsgId,
    pub args: Vec<(String, Arg)>,
}

impl Msg {
    pub fn new(id: MsgId) -> Msg {
        Msg {
            id,
            args: Vec::new(),
        }
    }

    pub fn str(mut self, name: &str, value: impl Into<String>) -> Msg {
        self.args.push((name.to_string(), Arg::Str(value.into())));
        self
    }

    pub fn num(mut self, name: &str, value: f64) -> Msg {
        self.args.push((name.to_string(), Arg::Num(value)));
        self
    }

    /// An optional value for a selector: empty becomes `none` (`{ $x -> [none] … }`).
    pub fn opt(self, name: &str, value: impl Into<String>) -> Msg {
        let v = value.into();
        self.str(name, if v.is_empty() { "none".to_string() } else { v })
    }

    pub fn msg(mut self, name: &str, value: Msg) -> Msg {
        self.args
            .push((name.to_string(), Arg::Msg(Box::new(value))));
        self
    }
}

impl From<MsgId> for Msg {
    fn from(id: MsgId) -> Msg {
        Msg::new(id)
    }
}

/// Both languages' bundles, built once at start-up.
pub struct Catalogue {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

#[derive(Debug, thiserror::Error)]
#[error("message file {file}: {detail}")]
pub struct CatalogueError {
    pub file: &'static str,
    pub detail: String,
}

impl Catalogue {
    pub fn load() -> Result<Catalogue, CatalogueError> {
        let lang_id = |tag: &str| {
            unic_langid::LanguageIdentifier::from_bytes(tag.as_bytes()).map_err(|e| {
                CatalogueError {
                    file: "(language id)",
                    detail: e.to_string(),
                }
            })
        };
        let mut vi = FluentBundle::new_concurrent(vec![lang_id("vi")?]);
        let mut en = FluentBundle::new_concurrent(vec![lang_id("en")?]);
        // Unicode isolation marks are invisible noise in a chat; the texts are plain.
        vi.set_use_isolating(false);
        en.set_use_isolating(false);
        // Figures grouped and marked as each language writes them (30.000 / 30,000).
        vi.set_formatter(Some(figure_vi));
        en.set_formatter(Some(figure_en));
        for (lang, file, text) in SOURCES {
            let res =
                FluentResource::try_new(text.to_string()).map_err(|(_, errs)| CatalogueError {
                    file,
                    detail: format!("{errs:?}"),
                })?;
            let bundle = match lang {
                Lang::Vi => &mut vi,
                Lang::En => &mut en,
            };
            bundle.add_resource(res).map_err(|errs| CatalogueError {
                file,
                detail: format!("{errs:?}"),
            })?;
        }
        Ok(Catalogue { vi, en })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang)
            .get_message(id)
            .and_then(|m| m.value())
            .is_some()
    }

    /// Render a message. Never fails: a missing id or variable is logged and rendered as
    /// Fluent's placeholder, so a catalogue mistake cannot stop a conversation.
    pub fn render(&self, lang: Lang, msg: &Msg) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(msg.id.id()).and_then(|m| m.value()) else {
            tracing::error!(id = msg.id.id(), lang = lang.code(), "message id missing");
            return msg.id.id().to_string();
        };
        let mut args = FluentArgs::new();
        for (name, value) in &msg.args {
            let v: FluentValue = match value {
                Arg::Str(s) => FluentValue::String(Cow::Owned(s.clone())),
                // Numbers that name rather than count are written as typed: a year, an id
                // a command takes back, a line of a file, a member's number on a page.
                Arg::Num(n) if UNGROUPED.contains(&name.as_str()) => {
                    FluentValue::String(Cow::Owned(n.to_string()))
                }
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Msg(m) => FluentValue::String(Cow::Owned(self.render(lang, m))),
            };
            args.set(name.clone(), v);
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::error!(
                id = msg.id.id(),
                lang = lang.code(),
                ?errors,
                "message rendering"
            );
        }
        text
    }
}

/// Variables holding numbers that name something (never grouped: `2026`, not `2.026`).
const UNGROUPED: [&str; 4] = ["year", "id", "line", "number"];

/// How a Vietnamese message writes a number: `30.000`, `48,5` (see [`figure`]).
fn figure_vi<M>(v: &FluentValue, _: &M) -> Option<String> {
    number(v, true)
}

fn figure_en<M>(v: &FluentValue, _: &M) -> Option<String> {
    number(v, false)
}

fn number(v: &FluentValue, vietnamese: bool) -> Option<String> {
    let FluentValue::Number(n) = v else {
        return None;
    };
    if !n.options.use_grouping || n.options.minimum_fraction_digits.is_some() {
        return None;
    }
    // Whole numbers grouped; a fraction kept as given (48.25 kg), with the language's mark.
    let text = n.value.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sep = if vietnamese { '.' } else { ',' };
    let mut out = match whole.parse::<u64>() {
        Ok(w) => crate::domain::text::grouped(w, sep),
        Err(_) => return None,
    };
    if n.value < 0.0 {
        out.insert(0, '-');
    }
    if !fraction.is_empty() {
        out.push(if vietnamese { ',' } else { '.' });
        out.push_str(fraction);
    }
    Some(out)
}

/// Message id → the variables its value references (the catalogue as written; a parse
/// error, which a test rules out, gives fewer ids).
pub fn message_variables(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (l, _, text) in SOURCES {
        if *l != lang {
            continue;
        }
        let Ok(res) = fluent_syntax::parser::parse(*text) else {
            continue;
        };
        for entry in res.body {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                out.insert(m.id.name.to_string(), vars);
            }
        }
    }
    out
}

fn pattern_vars(p: &fluent_syntax::ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let fluent_syntax::ast::PatternElement::Placeable { expression } = el {
            expr_vars(expression, vars);
        }
    }
}

fn expr_vars(e: &fluent_syntax::ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        fluent_syntax::ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        fluent_syntax::ast::Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &fluent_syntax::ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        fluent_syntax::ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        fluent_syntax::ast::InlineExpression::Placeable { expression } => {
            expr_vars(expression, vars)
        }
        fluent_syntax::ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_and_variables(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let vars = message_variables(lang);
        assert_eq!(
            vars.len(),
            SOURCES
                .iter()
                .filter(|(l, _, _)| *l == lang)
                .map(|(_, _, text)| fluent_syntax::parser::parse(*text)
                    .map(|r| r
                        .body
                        .iter()
                        .filter(|e| matches!(e, fluent_syntax::ast::Entry::Message(_)))
                        .count())
                    .unwrap_or(0))
                .sum::<usize>(),
            "no id is defined twice"
        );
        vars
    }

    #[test]
    fn both_languages_define_the_same_ids_with_the_same_variables() {
        let vi = ids_and_variables(Lang::Vi);
        let en = ids_and_variables(Lang::En);
        let vi_ids: BTreeSet<_> = vi.keys().collect();
        let en_ids: BTreeSet<_> = en.keys().collect();
        assert_eq!(vi_ids, en_ids, "ids differ between vi and en");
        for (id, vars) in &vi {
            assert_eq!(Some(vars), en.get(id), "variables of {id} differ");
        }
    }

    #[test]
    fn every_id_the_code_uses_exists_in_every_language_and_none_is_unused() {
        let cat = Catalogue::load().expect("catalogue loads");
        for lang in Lang::ALL {
            for id in MsgId::ALL {
                assert!(
                    cat.has(lang, id.id()),
                    "{} missing in {}",
                    id.id(),
                    lang.code()
                );
            }
            let defined = ids_and_variables(lang);
            for id in defined.keys() {
                assert!(
                    MsgId::ALL.iter().any(|m| m.id() == id),
                    "{id} is defined in {} but the code never uses it",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn vietnamese_writes_a_decimal_comma() {
        let cat = Catalogue::load().unwrap();
        let m = Msg::new(MsgId::ValueKg).num("kg", 48.5);
        assert_eq!(cat.render(Lang::Vi, &m), "48,5 kg");
        assert_eq!(cat.render(Lang::En, &m), "48.5 kg");
        assert_eq!(
            cat.render(Lang::Vi, &Msg::new(MsgId::ValueKg).num("kg", 62.0)),
            "62 kg"
        );
    }

    #[test]
    fn renders_variables_and_nested_messages_without_isolation_marks() {
        let cat = Catalogue::load().unwrap();
        let m = Msg::new(MsgId::EligibleFrom).str("date", "26/03/2026");
        let text = cat.render(Lang::Vi, &m);
        assert!(text.contains("26/03/2026"), "{text}");
        assert!(!text.contains('\u{2068}'), "no isolation marks");
        let nested = Msg::new(MsgId::ValueDonation)
            .msg("kind", Msg::new(MsgId::ChoicePlasma))
            .str("date", "01/02/2026");
        assert_eq!(cat.render(Lang::En, &nested), "Plasma, on 01/02/2026");
    }

    /// Issue 31: counts are grouped as each language writes them; numbers that name
    /// something (an id a command takes back, a year) are not.
    #[test]
    fn counts_are_grouped_and_names_are_not() {
        let cat = Catalogue::load().unwrap();
        let m = Msg::new(MsgId::WebUploadRejected)
            .num("count", 30_000.0)
            .str("file", "a.csv");
        assert!(cat.render(Lang::Vi, &m).starts_with("30.000 lỗi"));
        assert!(cat.render(Lang::En, &m).starts_with("30,000 error"));
        let id = Msg::new(MsgId::CliNoSuchDonation).num("id", 12_345.0);
        assert!(cat.render(Lang::Vi, &id).contains("12345"));
        let kg = Msg::new(MsgId::ValueKg).num("kg", 1_048.25);
        assert!(cat.render(Lang::Vi, &kg).contains("1.048,25"));
        assert!(cat.render(Lang::En, &kg).contains("1,048.25"));
        // English says "1 drive", "2 drives" (it said "1 drives").
        let drives =
            |n: f64| cat.render(Lang::En, &Msg::new(MsgId::WebCalendarImported).num("n", n));
        assert_eq!(drives(1.0), "Calendar stored: 1 drive.");
        assert_eq!(drives(2_000.0), "Calendar stored: 2,000 drives.");
    }
}
