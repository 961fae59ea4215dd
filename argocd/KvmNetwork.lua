-- Argo CD health of a kvmop.io KvmNetwork: Healthy when Ready (every node that runs it reports
-- the current generation), Degraded when Stalled, else Progressing.
local hs = {status = "Progressing", message = "waiting for the kvmop agents"}
if obj.status == nil then
  return hs
end
local gen = obj.metadata.generation
if gen ~= nil and obj.status.observedGeneration ~= gen then
  hs.message = "no agent has observed generation " .. tostring(gen) .. " yet"
  return hs
end
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Stalled" and c.status == "True" then
    return {status = "Degraded", message = (c.reason or "") .. ": " .. (c.message or "")}
  end
end
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then
    if c.status == "True" then
      return {status = "Healthy", message = c.message or ""}
    end
    hs.message = (c.reason or "") .. ": " .. (c.message or "")
  end
end
return hs
