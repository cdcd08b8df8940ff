/// The admin and status pages' one stylesheet, served at `/admin/assets/admin.css` (the
/// content security policy allows styles from the site itself only).
enum AdminStylesheet {
    static let css = """
        :root { --ink: #1d2733; --muted: #5b6875; --line: #d8dee4; --accent: #0b5cad; --bg: #f6f8fa;
                --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header.top { background: #12355b; color: #fff; padding: 0 24px; display: flex; align-items: center; gap: 24px; flex-wrap: wrap; }
        header.top .brand { font-weight: 600; padding: 12px 0; }
        header.top nav a { color: #dbe7f3; text-decoration: none; padding: 14px 10px; display: inline-block; }
        header.top nav a.active, header.top nav a:hover { color: #fff; box-shadow: inset 0 -3px 0 #7fb4ea; }
        header.top form { margin-left: auto; }
        header.top button { background: transparent; color: #dbe7f3; border: 1px solid #5a7fa6; }
        main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 48px; }
        main.narrow { max-width: 480px; margin-top: 8vh; }
        h1 { font-size: 1.5rem; margin: 8px 0 16px; } h2 { font-size: 1.15rem; margin: 28px 0 10px; } form.card h2 { margin-top: 4px; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef2f6; font-weight: 600; font-size: 0.9rem; }
        td small, dd small, p small { color: var(--muted); }
        code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; word-break: break-all; }
        form.card, section.card, section.summary { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin: 12px 0; }
        form.inline { display: inline; margin: 0; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
        label { display: block; font-weight: 600; font-size: 0.9rem; margin: 8px 0 4px; }
        input[type=text], input[type=password], input[type=url], input[type=datetime-local], select, textarea {
            width: 100%; padding: 6px 8px; border: 1px solid #b7c1cb; border-radius: 4px; font: inherit; background: #fff; }
        textarea { min-height: 120px; font-family: ui-monospace, Menlo, monospace; font-size: 0.8rem; }
        button { font: inherit; padding: 6px 14px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; margin-top: 10px; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
        td button { margin: 0 4px 0 0; padding: 3px 10px; font-size: 0.85rem; }
        .flash { background: #dafbe1; border: 1px solid #aceebb; padding: 10px 14px; border-radius: 6px; }
        .error { background: #ffebe9; border: 1px solid #ffcecb; padding: 10px 14px; border-radius: 6px; color: #82071e; }
        .badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 0.85rem; font-weight: 600; color: #fff; }
        .badge.full, .badge.approved, .badge.active { background: var(--ok); }
        .badge.partial, .badge.requested, .badge.unknown { background: var(--warn); }
        .badge.unavailable, .badge.revoked, .badge.inactive { background: var(--bad); }
        .expired { color: var(--bad); font-weight: 600; } .expiring { color: var(--warn); font-weight: 600; }
        .filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; align-items: end; }
        .pager { margin-top: 12px; }
        .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
        .stats a { display: block; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px; color: inherit; text-decoration: none; }
        .stats strong { display: block; font-size: 1.6rem; }
        section.summary .badge { font-size: 1.1rem; padding: 6px 16px; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 14px 0 0; } dt { font-weight: 600; } dd { margin: 0; }
        ul.rules { color: var(--muted); font-size: 0.9rem; }
        """
}
