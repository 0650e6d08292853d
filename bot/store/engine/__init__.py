"""The storage engine under the repositories: how TinyDB's data reaches the disk and survives a crash.

`atomic`: small files rewritten whole, atomically. `journal`: large files as a snapshot plus an fsynced
journal of appends. `tables`: the naming of the many small tables a large collection is spread over. `private`:
every file 0600 and every directory 0700, whatever the umask, and a data directory tightened as it opens. The
file formats, the TinyDB behaviours relied on and what a crash can leave are in docs/STORAGE.md.
"""
