/// A finding's subject and context as words of the report's language.
extension Localizer {
    /// A place stored by `FindingContext.place`: "Lagos, Lagos State, Nigeria (41.58.1.2)".
    public func placeText(_ stored: String) -> String {
        let parts = stored.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) + ["", "", "", ""]
        let name = [parts[0], parts[1], countryName(parts[2])].filter { !$0.isEmpty }.joined(separator: ", ")
        return parts[3].isEmpty ? name : "\(name) (\(parts[3]))"
    }

    /// "Suppressed: accepted risk (approved by …, until …)".
    public func suppressionText(_ s: Suppression) -> String {
        string(s.until == nil ? "suppressed.value" : "suppressed.value_until", ["reason": s.reason, "approver": s.approvedBy, "until": s.until ?? ""])
    }

    /// The rule's title for one finding: "(state not stated)" added when the rule is about a
    /// setting's new state and none of the finding's events says it (an export row never does).
    public func findingTitle(_ f: Finding, rule: FindingRule?) -> String {
        let title = findingTitle(f.ruleID, rule: rule)
        let wantsState = (rule?.match ?? []).contains { m in m.where?["state"].map { $0.missing != true } ?? false }
        guard wantsState, !f.context.settings.isEmpty, f.context.settings.allSatisfy({ $0.hasSuffix("=?") }) else { return title }
        return string("finding.state_not_stated", ["title": title])
    }

    /// What the finding is about: the person, the page, the setting (its label), a detail's value.
    public func findingSubject(_ f: Finding) -> String {
        switch f.subjectKind {
        case "target": return f.context.targets.first ?? f.context.teamspaces.first ?? f.subject
        case "setting":
            let key = f.subject.split(separator: " ", maxSplits: 1).first.map(String.init) ?? f.subject
            let on = f.context.targets.first ?? f.context.teamspaces.first
            return eventLabel(key) + (on.map { " – \($0)" } ?? "")
        default: return f.subject
        }
    }

    /// The context a reviewer acts on, one "label: values" part each, joined by "; ".
    public func findingDetail(_ f: Finding) -> String {
        detailParts(f).map { "\($0.0): \($0.1)" }.joined(separator: "; ")
    }

    /// The context as (label, values) pairs, in the order a reviewer reads them.
    public func detailParts(_ f: Finding) -> [(String, String)] {
        let c = f.context
        var parts: [(String, String)] = []
        func add(_ id: String, _ values: [String]) {
            if !values.isEmpty { parts.append((string(id), values.joined(separator: ", "))) }
        }
        if let new = c.places.first, !c.earlierPlaces.isEmpty {
            parts.append((string("context.new_place"), string("context.new_place_value", ["new": placeText(new), "before": c.earlierPlaces.map(placeText).joined(separator: "; ")])))
        } else {
            add("context.places", c.places.map(placeText))
        }
        add("context.event_types", c.eventKeys.map(eventLabel))
        add("context.targets", f.subjectKind == "target" ? Array(c.targets.dropFirst()) : c.targets)
        add("context.teamspaces", c.teamspaces)
        add("context.affected", c.affected)
        add("context.permissions", c.permissions.map { change in
            change.components(separatedBy: " → ").map { valueLabel("permission", valueLabel("role", $0)) }.joined(separator: " → ")
        })
        add("context.settings", c.settings.map { setting in
            let pair = setting.split(separator: "=", maxSplits: 1).map(String.init)
            let state = pair.count > 1 ? pair[1] : "?"
            return eventLabel(pair[0]) + ": " + (state == "?" ? string("context.state_unknown") : valueLabel("state", state))
        })
        add("context.days", c.durations)
        add("context.actor_ids", c.actorIDs)
        add("context.actor_types", c.actorTypes.map { valueLabel("actor_type", $0) })
        add("context.workspaces", c.workspaces)
        return parts
    }
}
