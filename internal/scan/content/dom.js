// The fake browser the content checks run page scripts in (see script.go).
// It records what scripts write into the page, where they send the visitor
// and which decoders they use; it has no network, no layout and no events
// other than load. Go provides __k (record, decoded, load, opcount), __page
// (url parts, referrer, user agent, ids of the page's elements) and atob/btoa.
(function (g) {
	"use strict";
	var k = g.__k, page = g.__page;
	delete g.__k;
	delete g.__page;
	var queue = [];
	function later(fn, args) {
		if (typeof fn === "string") {
			var code = fn;
			fn = function () { (0, g.eval)(code); };
		}
		if (typeof fn === "function") {
			var who = k.current();
			queue.push(function () {
				var prev = k.current();
				k.setCurrent(who);
				try {
					fn.apply(g, args || []);
				} finally {
					k.setCurrent(prev);
				}
			});
		}
	}
	function decoder(owner, name, label) {
		var orig = owner[name];
		if (typeof orig !== "function") {
			return;
		}
		owner[name] = function () {
			var out = orig.apply(this, arguments);
			k.decoded(label, Array.prototype.join.call(arguments, ","), String(out));
			return out;
		};
	}

	function Style() {}
	Style.prototype.setProperty = function (n, v) { this[n] = v; };
	Style.prototype.getPropertyValue = function (n) { return this[n] || ""; };
	function styleText(s) {
		var out = [];
		for (var n in s) {
			if (Object.prototype.hasOwnProperty.call(s, n) && s[n] !== "" && s[n] != null) {
				out.push(n.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }) + ":" + s[n]);
			}
		}
		return out.join(";");
	}
	function esc(v) {
		return String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
	}

	// Element is a created or looked-up element. Page elements (from
	// getElementById and the like) are written back as a wrapper with the
	// page's own attributes so that their hiding still applies. Markup set
	// with innerHTML is parsed (by Go) into children; a text node has the
	// tag "#text" and its text in data.
	function Element(tag, attrs, onPage) {
		k.opcount();
		this.tagName = String(tag).toUpperCase();
		this.nodeName = this.tagName;
		this.nodeType = { "#TEXT": 3, "#FRAGMENT": 11 }[this.tagName] || 1;
		this.attrs = {};
		this.kids = [];
		this.data = "";
		this.style = new Style();
		this.onPage = !!onPage;
		this.parentNode = null;
		var self = this;
		this.classList = {
			add: function () { for (var i = 0; i < arguments.length; i++) { self.className = (self.className + " " + arguments[i]).trim(); } },
			remove: function () {},
			contains: function (c) { return (" " + self.className + " ").indexOf(" " + c + " ") >= 0; },
			toggle: function () {}
		};
		for (var n in attrs || {}) {
			this.setAttribute(n, attrs[n]);
		}
	}
	function text(v) {
		var t = new Element("#text");
		t.data = String(v);
		return t;
	}
	function build(nodes, parent) {
		return nodes.map(function (n) {
			var e = n.tag === "" ? text(n.text) : new Element(n.tag, n.attrs);
			if (n.tag !== "") {
				e.kids = build(n.kids, e);
			}
			e.parentNode = parent;
			return e;
		});
	}
	function adopt(parent, kids) {
		kids.forEach(function (c) { c.parentNode = parent; });
		return kids;
	}
	var reflected = ["id", "href", "src", "title", "target", "rel", "type", "name", "content", "httpEquiv", "width", "height", "value", "alt", "lang"];
	reflected.forEach(function (p) {
		var attr = p === "httpEquiv" ? "http-equiv" : p.toLowerCase();
		Object.defineProperty(Element.prototype, p, {
			get: function () { return this.attrs[attr] === undefined ? "" : this.attrs[attr]; },
			set: function (v) { this.setAttribute(attr, v); }
		});
	});
	Object.defineProperty(Element.prototype, "className", {
		get: function () { return this.attrs["class"] || ""; },
		set: function (v) { this.setAttribute("class", v); }
	});
	// changed records what a script did to a page element.
	Element.prototype.changed = function (how) {
		if (this.onPage) {
			var w = this.wrapper();
			k.record("html", w[0] + this.innerHTML + w[1], how);
		}
	};
	Object.defineProperty(Element.prototype, "innerHTML", {
		get: function () { return this.kids.map(function (c) { return c.outerHTML; }).join(""); },
		set: function (v) {
			this.kids = build(k.parse(String(v)), this);
			this.changed("innerHTML");
		}
	});
	Object.defineProperty(Element.prototype, "outerHTML", {
		get: function () {
			if (this.nodeType === 3) {
				return esc(this.data);
			}
			var t = this.tagName.toLowerCase(), a = "", st = styleText(this.style);
			for (var n in this.attrs) {
				if (n !== "style" || !st) {
					a += " " + n + "=\"" + esc(this.attrs[n]) + "\"";
				}
			}
			if (st) {
				a += " style=\"" + esc((this.attrs.style ? this.attrs.style + ";" : "") + st) + "\"";
			}
			return "<" + t + a + ">" + this.innerHTML + "</" + t + ">";
		},
		set: function (v) {
			k.opcount();
			if (this.onPage) {
				k.record("html", String(v), "outerHTML");
			} else if (this.parentNode) {
				var p = this.parentNode, i = p.kids.indexOf(this), nodes = build(k.parse(String(v)), p);
				if (i >= 0) {
					Array.prototype.splice.apply(p.kids, [i, 1].concat(nodes));
				}
			}
		}
	});
	function textOf(e) {
		return e.nodeType === 3 ? e.data : e.kids.map(textOf).join("");
	}
	function setText(v) {
		if (this.nodeType === 3) {
			this.data = String(v);
			return;
		}
		this.kids = adopt(this, [text(v)]);
		this.changed("textContent");
	}
	["textContent", "innerText", "nodeValue"].forEach(function (p) {
		Object.defineProperty(Element.prototype, p, { get: function () { return textOf(this); }, set: setText });
	});
	var tree = {
		childNodes: function () { return this.kids; },
		children: function () { return this.kids.filter(function (c) { return c.nodeType === 1; }); },
		firstChild: function () { return this.kids[0] || null; },
		lastChild: function () { return this.kids[this.kids.length - 1] || null; },
		firstElementChild: function () { return this.children[0] || null; },
		lastElementChild: function () { var c = this.children; return c[c.length - 1] || null; },
		nextSibling: function () { return this.sibling(1); },
		previousSibling: function () { return this.sibling(-1); },
		parentElement: function () { return this.parentNode; },
		ownerDocument: function () { return g.document; },
		isConnected: function () { return this.onPage; }
	};
	Object.keys(tree).forEach(function (p) { Object.defineProperty(Element.prototype, p, { get: tree[p] }); });
	Element.prototype.sibling = function (d) {
		if (!this.parentNode || !this.parentNode.kids) {
			return null;
		}
		var s = this.parentNode.kids;
		return s[s.indexOf(this) + d] || null;
	};
	Element.prototype.setAttribute = function (n, v) {
		k.opcount();
		this.attrs[String(n).toLowerCase()] = String(v);
	};
	Element.prototype.getAttribute = function (n) {
		var v = this.attrs[String(n).toLowerCase()];
		return v === undefined ? null : v;
	};
	Element.prototype.hasAttribute = function (n) { return this.getAttribute(n) !== null; };
	Element.prototype.removeAttribute = function (n) { delete this.attrs[String(n).toLowerCase()]; };
	// insert puts c (an element or a fragment's children) under this one.
	Element.prototype.insert = function (c, at) {
		k.opcount();
		if (!(c instanceof Element)) {
			return c;
		}
		var nodes = c.tagName === "#FRAGMENT" ? c.kids.splice(0) : [c];
		var self = this;
		nodes.forEach(function (n) {
			if (n.parentNode && n.parentNode !== self && n.parentNode.kids) {
				n.parentNode.removeChild(n);
			}
			n.parentNode = self;
			n.detached = false;
			if (self.onPage) {
				attach(n, self);
			} else {
				var i = at ? self.kids.indexOf(at) : -1;
				self.kids.splice(i < 0 ? self.kids.length : i, 0, n);
			}
		});
		return c;
	};
	Element.prototype.appendChild = function (c) { return this.insert(c); };
	Element.prototype.insertBefore = function (c, ref) { return this.insert(c, ref); };
	Element.prototype.replaceChild = function (c, old) {
		this.insert(c, old);
		return this.removeChild(old);
	};
	Element.prototype.append = function () {
		for (var i = 0; i < arguments.length; i++) {
			var c = arguments[i];
			this.appendChild(c instanceof Element ? c : text(c));
		}
	};
	Element.prototype.prepend = Element.prototype.append;
	Element.prototype.insertAdjacentHTML = function (where, v) {
		k.opcount();
		if (this.onPage) {
			k.record("html", String(v), "insertAdjacentHTML");
		} else {
			this.kids = this.kids.concat(build(k.parse(String(v)), this));
		}
	};
	// Removing a child takes it out of what the page shows.
	Element.prototype.removeChild = function (c) {
		if (c instanceof Element) {
			c.detached = true;
			var i = this.kids.indexOf(c);
			if (i >= 0) {
				this.kids.splice(i, 1);
			}
		}
		return c;
	};
	Element.prototype.remove = function () {
		if (this.parentNode) {
			this.parentNode.removeChild(this);
		}
		this.detached = true;
	};
	Element.prototype.cloneNode = function (deep) {
		var c = new Element(this.tagName, this.attrs, false);
		c.data = this.data;
		if (deep) {
			c.kids = adopt(c, this.kids.map(function (x) { return x.cloneNode(true); }));
		}
		return c;
	};
	Element.prototype.contains = function (c) { return c === this || this.kids.some(function (x) { return x.contains(c); }); };
	Element.prototype.matches = function () { return false; };
	Element.prototype.closest = function () { return null; };
	Element.prototype.hasChildNodes = function () { return this.kids.length > 0; };
	Element.prototype.addEventListener = function (type, fn) { listen(type, fn); };
	Element.prototype.removeEventListener = function () {};
	Element.prototype.dispatchEvent = function () { return true; };
	Element.prototype.getElementsByTagName = function (t) {
		t = String(t).toUpperCase();
		var out = [];
		(function walk(e) {
			e.kids.forEach(function (c) {
				if (c.nodeType === 1 && (t === "*" || c.tagName === t)) {
					out.push(c);
				}
				walk(c);
			});
		})(this);
		return out;
	};
	Element.prototype.querySelector = function () { return null; };
	Element.prototype.querySelectorAll = function () { return []; };
	Element.prototype.getBoundingClientRect = function () { return { top: 0, left: 0, width: 0, height: 0, right: 0, bottom: 0 }; };
	Element.prototype.click = function () {};
	Element.prototype.focus = function () {};
	Element.prototype.wrapper = function () { return ["", ""]; };

	// attach writes a created element into the page: its markup as it is at
	// the end of the run, and what loading it would do.
	var attached = [];
	function attach(c, parent) {
		attached.push({ el: c, parent: parent, who: k.current() });
		if (c.tagName === "SCRIPT") {
			later(function () {
				if (c.attrs.src) {
					k.load(c.attrs.src);
				} else {
					k.run(textOf(c));
				}
			});
		}
	}
	g.__khienFinish = function () {
		for (var i = 0; i < 64 && queue.length; i++) {
			var fn = queue.shift();
			try { fn(); } catch (e) { /* a failing callback ends only itself */ }
		}
		attached.forEach(function (a) {
			var c = a.el;
			if (c.detached || c.tagName === "SCRIPT") {
				return;
			}
			var wrap = a.parent.wrapper();
			k.setCurrent(a.who);
			k.record("html", wrap[0] + c.outerHTML + wrap[1], "appendChild");
		});
	};

	var byID = {};
	function pageElement(tag, attrs) {
		var e = new Element(tag, attrs, true);
		e.wrapper = function () {
			var a = "";
			for (var n in attrs) {
				a += " " + n + "=\"" + esc(attrs[n]) + "\"";
			}
			return ["<" + tag + a + ">", "</" + tag + ">"];
		};
		return e;
	}
	var body = pageElement("body", {}), head = pageElement("head", {}), html = pageElement("html", {});
	function byId(id) {
		id = String(id);
		if (!byID[id]) {
			var known = page.elements[id];
			byID[id] = pageElement(known ? known.tag : "div", known ? known.attrs : { id: id });
		}
		return byID[id];
	}
	function select(sel) {
		sel = String(sel).trim();
		if (sel.charAt(0) === "#") {
			return byId(sel.slice(1));
		}
		if (/^head$/i.test(sel)) {
			return head;
		}
		return body;
	}

	var listeners = { load: 1, DOMContentLoaded: 1, readystatechange: 1, pageshow: 1 };
	function listen(type, fn) {
		if (listeners[type]) {
			later(fn, [{ type: type, target: g.document }]);
		}
	}

	// The location object: reads give the page's URL, writes are redirects.
	var loc = {};
	["protocol", "host", "hostname", "port", "pathname", "search", "hash", "origin"].forEach(function (p) {
		Object.defineProperty(loc, p, { get: function () { return page.url[p]; }, set: function (v) { if (p === "hash") { return; } k.record("redirect", String(v), "location." + p); } });
	});
	Object.defineProperty(loc, "href", { get: function () { return page.url.href; }, set: function (v) { k.record("redirect", String(v), "location.href"); } });
	loc.assign = function (v) { k.record("redirect", String(v), "location.assign"); };
	loc.replace = function (v) { k.record("redirect", String(v), "location.replace"); };
	loc.reload = function () {};
	loc.toString = function () { return page.url.href; };
	function locationProp(obj) {
		Object.defineProperty(obj, "location", { get: function () { return loc; }, set: function (v) { k.record("redirect", String(v), "location"); }, configurable: true });
	}

	var cookies = "";
	var doc = {
		nodeType: 9,
		readyState: "loading",
		referrer: page.referrer,
		title: page.title,
		domain: page.url.hostname,
		URL: page.url.href,
		characterSet: "UTF-8",
		body: body,
		head: head,
		documentElement: html,
		write: function () { k.record("html", Array.prototype.join.call(arguments, ""), "document.write"); },
		writeln: function () { k.record("html", Array.prototype.join.call(arguments, "") + "\n", "document.writeln"); },
		createElement: function (t) { return new Element(t); },
		createTextNode: text,
		createDocumentFragment: function () { return new Element("#fragment"); },
		createComment: function () { return text(""); },
		getElementById: byId,
		querySelector: select,
		querySelectorAll: function (sel) { return [select(sel)]; },
		getElementsByTagName: function (t) { return [/^head$/i.test(t) ? head : body]; },
		getElementsByClassName: function () { return [body]; },
		getElementsByName: function () { return []; },
		addEventListener: function (type, fn) { listen(type, fn); },
		removeEventListener: function () {},
		dispatchEvent: function () { return true; },
		hasFocus: function () { return true; },
		implementation: {
			createHTMLDocument: function () {
				return { body: new Element("body"), head: new Element("head"), createElement: function (t) { return new Element(t); } };
			}
		}
	};
	Object.defineProperty(doc, "cookie", { get: function () { return cookies; }, set: function (v) { cookies += (cookies ? "; " : "") + String(v).split(";")[0]; } });
	locationProp(doc);
	g.document = doc;

	var nav = {
		userAgent: page.userAgent,
		appVersion: page.userAgent.replace(/^Mozilla\//, ""),
		appName: "Netscape",
		vendor: "Google Inc.",
		platform: "Win32",
		language: "vi-VN",
		languages: ["vi-VN", "vi", "en-US"],
		cookieEnabled: true,
		onLine: true,
		webdriver: false,
		doNotTrack: null,
		maxTouchPoints: 0,
		plugins: [],
		mimeTypes: [],
		sendBeacon: function () { return true; }
	};
	g.navigator = nav;
	locationProp(g);
	g.window = g.self = g.top = g.parent = g.frames = g.globalThis = g;
	g.screen = { width: 1366, height: 768, availWidth: 1366, availHeight: 728, colorDepth: 24 };
	g.innerWidth = 1366;
	g.innerHeight = 657;
	g.devicePixelRatio = 1;
	g.history = { length: 1, pushState: function () {}, replaceState: function () {}, back: function () {} };
	g.console = { log: function () {}, warn: function () {}, error: function () {}, info: function () {}, debug: function () {} };
	function Storage() { this.data = {}; }
	Storage.prototype.getItem = function (n) { return Object.prototype.hasOwnProperty.call(this.data, n) ? this.data[n] : null; };
	Storage.prototype.setItem = function (n, v) { this.data[n] = String(v); };
	Storage.prototype.removeItem = function (n) { delete this.data[n]; };
	g.localStorage = new Storage();
	g.sessionStorage = new Storage();
	g.setTimeout = g.setInterval = function (fn) { later(fn, Array.prototype.slice.call(arguments, 2)); return queue.length; };
	g.requestAnimationFrame = function (fn) { later(fn, [0]); return queue.length; };
	g.setImmediate = g.setTimeout;
	g.clearTimeout = g.clearInterval = g.cancelAnimationFrame = function () {};
	g.addEventListener = function (type, fn) { listen(type, fn); };
	g.removeEventListener = function () {};
	g.open = function (v) { k.record("redirect", String(v || ""), "window.open"); return null; };
	g.alert = g.confirm = g.prompt = function () {};
	g.getComputedStyle = function () { return new Style(); };
	g.matchMedia = function () { return { matches: false, addListener: function () {}, addEventListener: function () {} }; };
	// No network: requests are accepted and never answered.
	function XMLHttpRequest() {}
	XMLHttpRequest.prototype.open = function () {};
	XMLHttpRequest.prototype.send = function () {};
	XMLHttpRequest.prototype.setRequestHeader = function () {};
	XMLHttpRequest.prototype.abort = function () {};
	g.XMLHttpRequest = XMLHttpRequest;
	g.fetch = function () { return new Promise(function () {}); };
	g.Image = function () { return new Element("img"); };
	g.HTMLElement = g.Element = g.Node = Element;

	// Built-ins that allocate in one step, where no interrupt can stop them,
	// refuse sizes no page script needs.
	var big = 1 << 20;
	function refuse() { throw new RangeError("size over the emulator's limit"); }
	var repeat = String.prototype.repeat, padStart = String.prototype.padStart, padEnd = String.prototype.padEnd;
	String.prototype.repeat = function (n) { if (String(this).length * n > big) { refuse(); } return repeat.call(this, n); };
	String.prototype.padStart = function (n, s) { if (n > big) { refuse(); } return padStart.call(this, n, s); };
	String.prototype.padEnd = function (n, s) { if (n > big) { refuse(); } return padEnd.call(this, n, s); };
	["join", "fill"].forEach(function (m) {
		var orig = Array.prototype[m];
		Array.prototype[m] = function () { if (this.length > big) { refuse(); } return orig.apply(this, arguments); };
	});
	["ArrayBuffer", "SharedArrayBuffer", "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array",
		"Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "DataView"].forEach(function (n) {
		var C = g[n];
		if (typeof C !== "function") {
			return;
		}
		g[n] = function (size) {
			if (typeof size === "number" && size > big) {
				refuse();
			}
			return new (Function.prototype.bind.apply(C, [null].concat(Array.prototype.slice.call(arguments))))();
		};
	});
	var arrayOrig = g.Array;
	g.Array = function (n) {
		if (arguments.length === 1 && typeof n === "number" && n > big) {
			refuse();
		}
		return arrayOrig.apply(this, arguments);
	};
	g.Array.prototype = arrayOrig.prototype;
	g.Array.isArray = arrayOrig.isArray;
	g.Array.from = arrayOrig.from;
	g.Array.of = arrayOrig.of;

	decoder(g, "atob", "atob");
	decoder(g, "unescape", "unescape");
	decoder(g, "escape", ""); // a link in chains such as decodeURIComponent(escape(atob(…)))
	decoder(g, "decodeURIComponent", "decodeURIComponent");
	decoder(g, "decodeURI", "decodeURIComponent");
	decoder(String, "fromCharCode", "String.fromCharCode");
	decoder(String, "fromCodePoint", "String.fromCharCode");
	var evalOrig = g.eval, FunctionOrig = g.Function;
	g.eval = function (code) {
		k.decoded("eval", "", String(code));
		return evalOrig(code);
	};
	g.Function = function () {
		k.decoded("new Function", "", String(arguments[arguments.length - 1]));
		return FunctionOrig.apply(this, arguments);
	};
	g.Function.prototype = FunctionOrig.prototype;
	// Obfuscators reach Function through a function's constructor.
	Object.defineProperty(FunctionOrig.prototype, "constructor", { value: g.Function, writable: true, configurable: true });

	// Finish calls the load handlers a page sets as properties too.
	var finish = g.__khienFinish;
	g.__khienFinish = function () {
		doc.readyState = "complete";
		[g.onload, doc.onreadystatechange, g.onDOMContentLoaded].forEach(function (fn) { later(fn, [{ type: "load" }]); });
		finish();
	};
})(this);
