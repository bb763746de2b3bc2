/// Produces the sample month's events in time order: a background of everyday activity shaped
/// by office hours, every catalogue key once, and scripted scenarios a security review must
/// catch (bursts of exports, mass deletion, SAML switched off, a login from a new country, …).
struct SampleScript {
    let options: SampleGenerator.Options
    let store: LocaleStore
    var random: SampleRandom
    let world: SampleWorld
    private var scripted: [AuditEvent] = []
    /// Audience changes of pages: (time, page index, new audience), in time order.
    private var widenings: [(Timestamp, Int, Audience)] = []
    private let teamspaceIDs: [String: String]
    private let monthStart: Timestamp
    private let monthEnd: Timestamp

    static let background: [(String, Double)] = [
        ("page.viewed", 42), ("page.content_edited", 18), ("page.created", 4), ("page.discussion.comment.created", 4),
        ("page.discussion.comment.updated", 1), ("page.discussion.comment.deleted", 0.3), ("page.moved", 1),
        ("page.deleted", 1.2), ("page.restored_from_trash", 0.3), ("page.exported", 0.8), ("page.file_downloaded", 2),
        ("page.file_uploaded", 1.5), ("page.permissions.member_role_added", 0.8), ("page.permissions.member_role_updated", 0.4),
        ("page.permissions.guest_role_added", 0.4), ("page.permissions.group_role_added", 0.3),
        ("page.permissions.integration_role_added", 0.2), ("user.login", 8), ("user.logout", 2),
        ("workspace.content_search_queried", 0.1), ("teamspace.permissions.member_added", 0.3),
        ("workspace.permissions.member_invited", 0.2), ("page.properties_edited", 3), ("page.button_automation_updated", 0.2),
        ("workspace.group.permissions.member_added", 0.1),
    ]

    init(options: SampleGenerator.Options, store: LocaleStore, random: inout SampleRandom) {
        self.options = options
        self.store = store
        let people = min(400, max(30, options.events / 40))
        // The scripted scenarios name pages up to index 90 and people up to 13: at least that many.
        let pages = min(900, max(120, options.events / 12))
        world = SampleWorld(peopleCount: people, pageCount: pages, random: &random)
        var ids: [String: String] = [:]
        for name in SampleWorld.teamspaces { ids[name] = random.uuid() }
        teamspaceIDs = ids
        monthStart = Timestamp(year: options.year, month: options.month, day: 1)
        let next = options.month == 12 ? (options.year + 1, 1) : (options.year, options.month + 1)
        monthEnd = Timestamp(year: next.0, month: next.1, day: 1)
        self.random = random
        buildScript()
        random = self.random
    }

    // MARK: building events

    private func at(_ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Timestamp {
        let days = Timestamp.daysInMonth(year: options.year, month: options.month)
        return Timestamp(year: options.year, month: options.month, day: min(day, days), hour: hour, minute: minute, second: second)
    }

    private mutating func make(_ key: String, _ time: Timestamp, _ actor: SampleWorld.Person, page: Int? = nil, teamspace: String? = nil, details: [Field] = [], place: SampleWorld.Place? = nil) -> AuditEvent {
        var e = AuditEvent(id: random.uuid(), timestamp: Timestamp(milliseconds: time.milliseconds + Int64(random.below(1000))), key: key)
        e.actor = Actor(id: actor.id, email: actor.email, name: actor.name, type: actor.type)
        e.role = actor.role == "bot" ? "" : actor.role
        let location = place ?? actor.home
        if actor.type == "person" {
            e.city = location.city
            e.country = location.country
            e.ipAddress = place == nil ? actor.ip : "\(location.ipPrefix).\(random.below(250) + 1).\(random.below(250) + 1)"
        }
        e.platform = actor.platform
        if let page {
            let p = world.pages[page]
            e.target = Target(kind: "page", id: p.id, name: p.title)
            e.extras = [Field("Teamspace", p.teamspace)]
        } else if let teamspace {
            e.target = Target(kind: "teamspace", id: teamspaceIDs[teamspace] ?? "", name: teamspace)
            e.extras = [Field("Teamspace", teamspace)]
        }
        e.details = details
        return e
    }

    private mutating func pagePick() -> Int {
        // A few pages draw most of the traffic.
        let u = random.unit()
        return min(world.pages.count - 1, Int(Double(world.pages.count) * u * u))
    }

    private mutating func person() -> SampleWorld.Person {
        let u = random.unit()
        return world.people[min(world.people.count - 1, Int(Double(world.people.count) * u * u * 0.9 + Double(world.people.count) * 0.1 * random.unit()))]
    }

    private var owner: SampleWorld.Person { world.people[0] }

    private mutating func detailsFor(_ key: String) -> [Field] {
        if key.hasPrefix("page.permissions.") {
            var d = [Field("old_permission", key.hasSuffix("_added") ? "none" : "read_only"), Field("new_permission", key.hasSuffix("_removed") ? "none" : random.pick(["read_only", "comment_only", "full_access"]))]
            if key.contains(".guest_role_") { d.append(Field("entity.person.email", random.pick(world.guests).email)) }
            return d
        }
        if key.contains("_setting_updated") || key.hasSuffix("_config_updated") || key.contains(".settings.login_method.mfa") {
            return [Field("state", random.chance(0.5) ? "enabled" : "disabled")]
        }
        switch key {
        case "user.login": return [Field("authType", random.pick(["email", "google", "saml", "saml"]))]
        case "workspace.audit_log_exported": return [Field("duration_in_days", "30")]
        case "workspace.permissions.member_role_updated": return [Field("old_role", "member"), Field("new_role", random.pick(["membership_admin", "member", "owner"]))]
        case "teamspace.permissions.member_added": return [Field("role", "member")]
        case "teamspace.permissions.member_role_updated": return [Field("new_role", "member")]
        default: return []
        }
    }

    private mutating func buildScript() {
        var s: [AuditEvent] = []
        // Every catalogue key once, spread over the month.
        let keys = store.catalog.eventKeys
        let span = monthEnd.milliseconds - monthStart.milliseconds
        for (i, key) in keys.enumerated() {
            let t = Timestamp(milliseconds: monthStart.milliseconds + span * Int64(i * 2 + 1) / Int64(keys.count * 2))
            let category = store.catalog.category(of: key)
            let actor = key.hasPrefix("user.") ? world.people[10 % world.people.count] : world.people[i % 4]
            if category == "page" || category == "data_source" || category == "form" {
                s.append(make(key, t, actor, page: (i * 7) % world.pages.count, details: detailsFor(key)))
            } else if category == "teamspace" {
                s.append(make(key, t, actor, teamspace: SampleWorld.teamspaces[i % SampleWorld.teamspaces.count], details: detailsFor(key)))
            } else {
                s.append(make(key, t, actor, details: detailsFor(key)))
            }
        }
        let p = world.people
        // Fifteen exports within the hour by one person.
        for k in 0..<15 {
            s.append(make("page.exported", at(12, 14, 5 + k * 2, k * 3), p[5], page: 20 + k))
        }
        s.append(make("workspace.content_exported", at(20, 16, 30), p[2]))
        s.append(make("workspace.settings.enforce_saml_sso_config_updated", at(9, 10, 0), owner, details: [Field("state", "disabled")]))
        s.append(make("workspace.settings.enforce_saml_sso_config_updated", at(10, 9, 0), owner, details: [Field("state", "enabled")]))
        s.append(make("workspace.audit_log_exported", at(2, 8, 0), owner, details: [Field("duration_in_days", "30")]))
        s.append(make("workspace.audit_log_exported", at(28, 8, 0), owner, details: [Field("duration_in_days", "30")]))
        s.append(make("workspace.scim_token_generated", at(15, 11, 0), p[1]))
        s.append(make("workspace.settings.allow_public_page_sharing_setting_updated", at(16, 13, 0), owner, details: [Field("state", "enabled")]))
        s.append(make("teamspace.settings.allow_guests_setting_updated", at(17, 9, 30), p[3], teamspace: "Marketing", details: [Field("state", "enabled")]))
        s.append(make("teamspace.settings.allow_content_export_setting_updated", at(18, 9, 30), p[3], teamspace: "Finanzen", details: [Field("state", "disabled")]))
        s.append(make("teamspace.permissions.member_added", at(11, 15, 0), owner, teamspace: "Finanzen", details: [Field("role", "owner"), Field("entity.person.email", p[12].email)]))
        s.append(make("teamspace.permissions.member_role_updated", at(13, 15, 0), p[3], teamspace: "Engineering", details: [Field("new_role", "owner"), Field("entity.person.email", p[13].email)]))
        // A login from a country this person has not been seen in.
        s.append(make("user.login", at(22, 3, 12), p[6], details: [Field("authType", "email")], place: SampleWorld.unusualPlace))
        // Twelve deletions within half an hour, none restored; and eleven with five restored.
        for k in 0..<12 { s.append(make("page.deleted", at(23, 10, k * 2), p[7], page: 60 + k)) }
        for k in 0..<11 { s.append(make("page.deleted", at(23, 14, k * 2), p[8], page: 80 + k)) }
        for k in 0..<5 { s.append(make("page.restored_from_trash", at(23, 14, 40 + k), p[8], page: 80 + k)) }
        // A login followed by password and e-mail changes.
        s.append(make("user.login", at(24, 8, 0), p[9], details: [Field("authType", "email")]))
        s.append(make("user.settings.login_method.password_updated", at(24, 11, 0), p[9]))
        s.append(make("user.settings.login_method.email_updated", at(25, 7, 0), p[9]))
        // Pages that widen their audience mid-month.
        let internalPages = world.pages.indices.filter { $0 > SampleWorld.hostileTitles.count && world.pages[$0].audience == .sharedInternally }
        if internalPages.count >= 3 {
            let toWeb = internalPages[0]
            let toGuest = internalPages[1]
            let toBot = internalPages[2]
            widenings.append((at(19, 11, 0), toWeb, .sharedToWeb))
            widenings.append((at(14, 10, 0), toGuest, .sharedExternally))
            widenings.append((at(14, 16, 0), toBot, .sharedExternally))
            s.append(make("page.permissions.shared_to_public_role_added", at(19, 11, 0), p[4], page: toWeb, details: [Field("old_permission", "none"), Field("new_permission", "read_only")]))
            s.append(make("page.permissions.guest_role_added", at(14, 10, 0), p[4], page: toGuest, details: [Field("old_permission", "none"), Field("new_permission", "comment_only"), Field("entity.person.email", world.guests[0].email)]))
            s.append(make("page.permissions.integration_role_added", at(14, 16, 0), p[2], page: toBot, details: [Field("old_permission", "none"), Field("new_permission", "full_access")]))
        }
        s.append(make("workspace.settings.public_homepage_added", at(21, 12, 0), owner))
        // Settings whose new state matters: the invite link on, integrations open to members, and
        // a SAML enforcement change that does not say its state.
        s.append(make("workspace.settings.invite_link_setting_updated", at(3, 10, 15), p[1], details: [Field("state", "enabled")]))
        s.append(make("workspace.settings.integration_restriction_settings_updated", at(6, 14, 40), p[3], details: [Field("state", "disabled")]))
        s.append(make("workspace.settings.enforce_saml_sso_config_updated", at(27, 9, 5), p[1], details: []))
        // The page with the 40,000-character title is read at least once, after the stream starts.
        s.append(make("page.viewed", at(options.siemFromDay + 1, 9, 0), p[4], page: world.pages.count - 1))
        s.sort { $0.timestamp < $1.timestamp }
        scripted = s
        widenings.sort { $0.0 < $1.0 }
    }

    // MARK: running

    /// Emits every event in time order; `source.line` numbers them from 1.
    mutating func run(_ sink: (AuditEvent) throws -> Void) throws {
        var pages = world.pages
        let baseCount = max(0, options.events - scripted.count)
        // Hourly weights: office hours on weekdays, a little at night and on weekends.
        let hours = Int((monthEnd.milliseconds - monthStart.milliseconds) / 3_600_000)
        var cumulative: [Double] = []
        var total = 0.0
        for h in 0..<hours {
            let c = Timestamp(milliseconds: monthStart.milliseconds + Int64(h) * 3_600_000).civil()
            let weekend = c.isoWeekday >= 6
            let weight = weekend ? 0.4 : (7...16).contains(c.hour) ? 6.0 : (17...20).contains(c.hour) ? 1.5 : 0.25
            total += weight
            cumulative.append(total)
        }
        var weights: [Double] = []
        var sum = 0.0
        for (_, w) in Self.background {
            sum += w
            weights.append(sum)
        }
        var hour = 0
        var nextScripted = 0
        var nextWidening = 0
        var sequence = 0
        func emit(_ e: AuditEvent) throws {
            var e = e
            sequence += 1
            e.source = SourceLocation(input: 0, line: sequence)
            try sink(e)
        }
        for i in 0..<baseCount {
            let target = (Double(i) + random.unit()) / Double(baseCount) * total
            while hour < hours - 1 && cumulative[hour] < target { hour += 1 }
            let hourStart = monthStart.milliseconds + Int64(hour) * 3_600_000
            let t = Timestamp(milliseconds: hourStart + Int64(random.unit() * 3_600_000))
            while nextScripted < scripted.count && scripted[nextScripted].timestamp <= t {
                while nextWidening < widenings.count && widenings[nextWidening].0 <= scripted[nextScripted].timestamp {
                    pages[widenings[nextWidening].1].audience = widenings[nextWidening].2
                    nextWidening += 1
                }
                var e = scripted[nextScripted]
                if let index = pages.firstIndex(where: { $0.id == e.target.id && e.target.kind == "page" }) { e.audience = pages[index].audience }
                try emit(e)
                nextScripted += 1
            }
            while nextWidening < widenings.count && widenings[nextWidening].0 <= t {
                pages[widenings[nextWidening].1].audience = widenings[nextWidening].2
                nextWidening += 1
            }
            let roll = random.unit() * sum
            var k = 0
            while weights[k] < roll { k += 1 }
            let key = Self.background[k].0
            if key.hasPrefix("page.") || key.hasPrefix("ui.page.") {
                let pageIndex = pagePick()
                let page = pages[pageIndex]
                var actor = person()
                if page.audience == .sharedExternally && random.chance(0.3) && (key == "page.viewed" || key.contains("comment")) {
                    actor = random.pick(world.guests)
                } else if (key == "page.content_edited" || key == "page.created") && random.chance(0.03) {
                    actor = random.pick(world.botActors)
                }
                var e = make(key, t, actor, page: pageIndex, details: detailsFor(key))
                e.audience = page.audience
                try emit(e)
            } else if key.hasPrefix("teamspace.") {
                try emit(make(key, t, person(), teamspace: random.pick(SampleWorld.teamspaces), details: detailsFor(key)))
            } else {
                try emit(make(key, t, person(), details: detailsFor(key)))
            }
        }
        while nextScripted < scripted.count {
            var e = scripted[nextScripted]
            if let index = pages.firstIndex(where: { $0.id == e.target.id && e.target.kind == "page" }) { e.audience = pages[index].audience }
            try emit(e)
            nextScripted += 1
        }
    }
}
