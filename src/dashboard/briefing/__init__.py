"""The Executive Member's briefing pack: an A4 PDF of where the programme stands, what changed since the last briefing,
the main risks, the charts the pages show (exported as images), the districts, and decisions and consultation.

The pack covers the whole programme, as at a date: the app's filters do not narrow it. Its figures come from the same
metrics, tables and charts as the pages, so the pack and the screen agree. Nothing here touches the network: charts
are drawn by a local Chromium (kaleido), geographic maps with the repo's own (empty) base map.

One module per job: `content` (what the pack says, and page 1 for the app's preview), `packs` (the packs made),
`images` (charts as images and their text alternatives), `page` (geometry and type), `tagging` (the tagged PDF) and
`pdf` (the layout; `build_briefing`). Import the module wanted: nothing is imported here, so the app's preview
(`content`) loads neither reportlab nor kaleido."""
