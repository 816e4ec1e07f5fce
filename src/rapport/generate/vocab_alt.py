"""A second vocabulary for tickets and comments (wording `alt`), written the way another
company's customers and agents talk, separately from `vocab.py` and not derived from it.

Same pools and shapes as `vocab.py` (and as many ticket topics, so the account's recurring
problem is drawn the same way); text about looking elsewhere lives only in the `SHOP_*` pools.
"""

from __future__ import annotations

# (subject, tag, description body) of ordinary support problems
TICKET_TOPICS = (
    (
        "Okta sign-in loops back to login page",
        "sso",
        "After Okta approves, we land on login again.",
    ),
    (
        "Invoice PDF shows wrong VAT number",
        "billing",
        "Our VAT ID on the last two invoices is old.",
    ),
    ("Scheduled report arrived empty", "reporting", "Monday's scheduled report had no rows in it."),
    ("Bulk upload rejects dates", "import", "Uploads fail on dd/mm/yyyy dates, only US works."),
    ("Need a sandbox for our new integration", "integration", "Our devs need a test tenant."),
    ("Page freezes when filtering 10k items", "performance", "Filtering a big list hangs the tab."),
    ("User can't see the Finance workspace", "permissions", "New hire gets a blank workspace."),
    ("2FA codes rejected", "login", "Authenticator codes fail for a few people, clocks are fine."),
    ("Salesforce connector duplicating records", "integration", "Each sync adds the rows again."),
    ("Android app logs out every hour", "mobile", "Field staff must sign in again all day."),
    ("How to archive old projects", "how-to", "We want old projects hidden but not deleted."),
    (
        "Transfer ownership from a leaver",
        "admin",
        "Someone left; move their items to their manager.",
    ),
    ("Charts show UTC instead of local time", "dashboard", "Times on charts are an hour off."),
    ("API docs example returns 400", "api", "The sample request from the docs gives a 400."),
    ("Webinar recording link broken", "training", "The onboarding recording link gives a 404."),
    ("Emails from the app land in spam", "notifications", "Notification mails go to junk."),
)
SHOP_COMPETITORS = ("Quillstack", "Meridian One", "Parcelio", "Stratavo", "Kestrel Suite")
SHOP_TICKET_SUBJECTS = (
    "What's our notice period?",
    "Bulk export of all our records",
    "Vendor review: need your SOC 2 report and DPA",
    "Quote for next year please",
    "Offboarding checklist",
    "Can we drop to fewer seats at the end of the term?",
    "Integration parity with {competitor}",
    "Do you match what {competitor} charges?",
)
SHOP_TICKET_SENTENCES = (
    "FYI we're trialling {competitor} alongside you this quarter.",
    "Finance asked us to benchmark vendors before we sign anything again.",
    "Sourcing put our contract out to tender, so I need this for the response.",
    "We had a demo from {competitor} last week and they do this out of the box.",
    "If we move off the platform, how long do we keep access to our data?",
    "Management wants to consolidate tools and this one is under review.",
)
RATING_COMMENTS_GOOD = (
    "Sorted, cheers.",
    "Agent was patient and clear.",
    "Fixed same day, appreciated.",
    None,
)
RATING_COMMENTS_BAD = (
    "Had to chase three times.",
    "Closed without actually fixing it.",
    "Canned answer, didn't read what I wrote.",
    None,
)

SURVEY_COMMENTS_GOOD = (
    "Does what it says, team picked it up quickly.",
    "Support folks are lovely and quick.",
    "Solid tool.\nThe mobile app is a lifesaver for our drivers.",
    "Our CSM goes the extra mile, every time.",
    "No complaints, it just works.",
)
SURVEY_COMMENTS_MIXED = (
    "Good enough, a bit clunky on big lists.",
    "Fine. Would love proper dark mode.",
    "Mostly positive.\r\nSetup of permissions is confusing.",
    "It's OK; reports need more filters.",
)
SURVEY_COMMENTS_BAD = (
    "Sync breaks every other week and nobody tells us.",
    "Tickets sit for days before anyone looks.",
    "Half my team has gone back to spreadsheets.",
    "Too many bugs after each update.\nNot great.",
    "We were told the integration would be fixed by spring.",
)
SHOP_SURVEY_COMMENTS = (
    "Honestly we're weighing up {competitor}, they came in a lot cheaper.",
    "Leadership asked us to look at other vendors before our term is up.",
    "Fine for now, but we're running a proof of concept with {competitor}.",
    "Budget is tight this year and the tool is on the list of things to cut.",
    "Team likes it. Leadership keeps talking about switching to {competitor} anyway.",
    "We'll probably consolidate onto {competitor}, which the rest of the group uses.",
)
