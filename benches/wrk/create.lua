-- POST /api/v1/tickets with a fresh title each time.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"kind":"incident","title":"Beban uji %d","description":"Uji beban","impact":"medium","urgency":"high","reporter":{"name":"Penguji"}}',
    counter)
  return wrk.format("POST", "/api/v1/tickets", {["Content-Type"] = "application/json"}, body)
end
