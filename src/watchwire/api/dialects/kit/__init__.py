"""The dialect kit: what every compatibility dialect needs to read requests and answer
errors the way its document's clients expect, so that a dialect is only its translation.

    bodies.py   query + body (form-urlencoded, multipart, JSON) into `Fields`, with Rails'
                `name[]` lists and `name[key]` maps, charsets and a body size limit
    fields.py   `Fields`: typed readers that raise one error naming the field and the rule,
                and refuse control characters
    ids.py      SID patterns and integer ids
    paging.py   page/per_page and offset/limit with bounds; every page of a listing
    errors.py   exceptions → `Problem` → the dialect's own envelope (its `render` hook)
    routes.py   `Crud`: the list/create/get/update/delete route shape of one resource
    keys.py     an API key sent as a request field (Enterno's `api_key` body parameter)

No module here knows any one document: names, envelopes and messages are the dialect's.
"""
