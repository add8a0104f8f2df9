import Database from "better-sqlite3";
const db = new Database(process.argv[2], { readonly: true });
const tables = db.prepare("select name from sqlite_master where type='table'").pluck().all() as string[];
for (const t of tables) { try { console.log(t, db.prepare(`select count(*) from "${t}"`).pluck().get()); } catch (e) { console.log(t, String(e).slice(0,80)); } }
console.log("segments", JSON.stringify(db.prepare("select id, type, scope, collection from segments").all()));
console.log("pages", db.pragma("page_count", { simple: true }), "free", db.pragma("freelist_count", { simple: true }), "journal", db.pragma("journal_mode", { simple: true }));
