/// The web view's one stylesheet, served from `/static/style.css` (the
/// Content-Security-Policy allows no inline style). System fonts, no images,
/// readable from a phone to a wide screen.
enum WebStyle {
    static let css = """
        :root { --ink: #1b1f24; --muted: #5a6470; --line: #d5dae0; --band: #f3f5f8; --accent: #003399; --warn: #8a1c1c; --warnbg: #fdecea; --amber: #fff4d6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
        header { background: var(--accent); color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: baseline; }
        header .brand { font-weight: 700; letter-spacing: .02em; }
        header .brand span { font-weight: 400; opacity: .85; }
        header .who { font-size: .85rem; opacity: .9; flex: 1 1 16rem; }
        nav { display: flex; flex-wrap: wrap; gap: .2rem .9rem; width: 100%; }
        nav a { color: #fff; text-decoration: none; padding: .15rem 0; border-bottom: 2px solid transparent; }
        nav a[aria-current=page], nav a:hover { border-bottom-color: #ffcc00; }
        main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
        footer { color: var(--muted); font-size: .8rem; padding: 1rem; border-top: 1px solid var(--line); max-width: 72rem; margin: 2rem auto 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: .93rem; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--band); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        a { color: var(--accent); }
        mark { background: #ffe680; padding: 0 .1em; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; background: var(--band); padding: .7rem; border-radius: 4px; margin-bottom: 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
        input, select, button { font: inherit; padding: .3rem .4rem; border: 1px solid #9aa4b1; border-radius: 3px; background: #fff; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.quiet { background: #fff; color: var(--accent); }
        button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0; }
        .unread { color: var(--accent); }
        form.inline { display: inline; }
        .refusal { background: var(--warnbg); color: var(--warn); padding: .7rem 1rem; border-left: 4px solid var(--warn); }
        img.attachment { max-width: 100%; max-height: 32rem; height: auto; border: 1px solid var(--rule, #ccc); }
        ul.attachments { list-style: none; padding-left: 0; }
        .notice { background: #e8f1e4; padding: .6rem 1rem; border-left: 4px solid #2e7d32; }
        .handling { padding: .7rem 1rem; border-left: 6px solid var(--accent); background: var(--band); margin-bottom: 1rem; }
        .handling.h1 { border-color: #b26a00; background: var(--amber); }
        .handling.h2, .handling.h3 { border-color: var(--warn); background: var(--warnbg); }
        .handling strong { display: block; font-size: 1.05rem; }
        .prio-flash, .prio-immediate { font-weight: 700; color: var(--warn); }
        .badge { display: inline-block; padding: 0 .35rem; border-radius: 3px; background: var(--band); border: 1px solid var(--line); font-size: .85rem; }
        dl.fields { display: grid; grid-template-columns: minmax(9rem, 14rem) 1fr; gap: .2rem 1rem; margin: 0; }
        dl.fields dt { color: var(--muted); }
        dl.fields dd { margin: 0; }
        dl.fields dd small, td small { color: var(--muted); display: block; }
        .evaluation { margin: 0 0 .6rem; }
        dl.summary { display: grid; grid-template-columns: minmax(7rem, 10rem) 1fr; gap: .15rem 1rem; margin: 0 0 .8rem; padding: .6rem .8rem; background: var(--band); border-radius: 4px; }
        dl.summary dt { font-weight: 600; } dl.summary dd { margin: 0; }
        ul.items { margin: 0; padding-left: 1.1rem; } ul.items li { margin-bottom: .3rem; }
        span.code { color: var(--muted); }
        details.record { margin-top: 1.5rem; border-top: 1px solid var(--line); padding-top: .5rem; }
        details.record summary { cursor: pointer; color: var(--muted); }
        pre.record { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f4f8; padding: 1rem; border-radius: 4px; }
        .signature.ok { color: #2e7d32; } .signature.bad { color: var(--warn); font-weight: 700; }
        .muted { color: var(--muted); }
        .chart { margin: 0 0 .5rem; }
        .chart img { width: 100%; max-width: 48rem; height: auto; border: 1px solid var(--line); }
        .pager { margin: 1rem 0; display: flex; gap: 1rem; }
        @media (max-width: 40rem) {
          table.cards thead { display: none; }
          table.cards tr { display: flex; flex-wrap: wrap; gap: 0 .6rem; border-bottom: 1px solid var(--line); padding: .4rem 0; }
          table.cards td { border: 0; padding: 0; }
          table.cards td:last-child { order: -1; width: 100%; font-weight: 600; }
          table.cards td small { display: none; }
          form.mailbox table.cards td:nth-last-child(2) { order: -1; width: 100%; font-weight: 600; }
          form.mailbox table.cards td:last-child { order: 0; width: auto; font-weight: normal; }
        }
        @media (max-width: 40rem) { dl.fields, dl.summary { grid-template-columns: 1fr; } dl.fields dt { margin-top: .5rem; } main { padding: .6rem; } }
        """
}
