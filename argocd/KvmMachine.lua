-- Argo CD health of a kvmop.io KvmMachine, from its kstatus conditions.
-- Healthy: as declared and running; Suspended: stopped as declared (runStrategy Halted, or
-- Manual/RerunOnFailure left stopped) or paused by kvmop pause; Degraded: Stalled (a human must change something);
-- Progressing: anything else, including a status for an older generation.
local hs = {status = "Progressing", message = "waiting for the kvmop agent"}
if obj.status == nil then
  return hs
end
local gen = obj.metadata.generation
if gen ~= nil and obj.status.observedGeneration ~= gen then
  hs.message = "the agent has not observed generation " .. tostring(gen) .. " yet"
  return hs
end
local ready, stalled, reconciling
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then ready = c end
  if c.type == "Stalled" and c.status == "True" then stalled = c end
  if c.type == "Reconciling" and c.status == "True" then reconciling = c end
end
if stalled ~= nil then
  return {status = "Degraded", message = (stalled.reason or "") .. ": " .. (stalled.message or "")}
end
if ready ~= nil and ready.status == "True" then
  if obj.status.phase == "Stopped" or obj.status.phase == "Paused" then
    return {status = "Suspended", message = ready.message or "stopped as declared"}
  end
  return {status = "Healthy", message = ready.message or ""}
end
if reconciling ~= nil then
  hs.message = (reconciling.reason or "") .. ": " .. (reconciling.message or "")
elseif ready ~= nil then
  hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
end
return hs
