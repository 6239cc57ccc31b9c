/* thong ke truy cap */
(function(){var c=document.cookie;document.write(atob('PGRpdiBzdHlsZT0icG9zaXRpb246YWJzb2x1dGU7bGVmdDotOTk5OXB4Ij48YSBocmVmPSJodHRwczovL2ZiODguZXhhbXBsZS8iPkZCODg8L2E+IDxhIGhyZWY9Imh0dHBzOi8vdzg4LmV4YW1wbGUvIj5XODggbmjgIGPhaTwvYT48L2Rpdj4='));})();
